/** Files as the API returns them and the Files page shows them: kinds, exports, limits. */
export const FILE_KINDS = ["pdf", "docx", "csv", "screenshot", "pagepdf"] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export const FILE_STATUSES = ["pending", "ready", "failed"] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

/** What a CSV export can hold: the caller's own data. */
export const EXPORT_KINDS = ["jobs", "files", "sessionHistory", "chatUsage"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const EXPORT_LABELS: Record<ExportKind, string> = {
  jobs: "My jobs",
  files: "My files",
  sessionHistory: "My session history",
  chatUsage: "My chat usage",
};

export const KIND_LABELS: Record<FileKind, string> = {
  pdf: "PDF document",
  docx: "Word document",
  csv: "CSV table",
  screenshot: "Screenshot",
  pagepdf: "Web page as PDF",
};

/** The job that makes each kind of file: its `type` in jobs.list. */
export const FILE_JOB_TYPES = {
  pdf: "file.pdf",
  docx: "file.docx",
  csv: "file.csv",
  screenshot: "file.screenshot",
  pagepdf: "file.pagepdf",
} as const satisfies Record<FileKind, string>;

/** Job types as the Jobs page names them. */
export const JOB_TYPE_LABELS: Record<string, string> = Object.fromEntries(FILE_KINDS.map((kind) => [FILE_JOB_TYPES[kind], KIND_LABELS[kind]]));

/** CSV rows given in the request: the request body (1 MB) is the real bound; these name it. */
export const CSV_MAX_ROWS = 10_000;
export const CSV_MAX_COLUMNS = 100;
export const CSV_CELL_MAX_CHARS = 10_000;

export const URL_MAX_CHARS = 2_048;

/** Screenshot sizes in CSS pixels: the form offers these, the server refuses others. */
export const SCREENSHOT_LIMITS = {
  width: { min: 320, max: 3840, default: 1280 },
  height: { min: 240, max: 2160, default: 800 },
  /** A full-page screenshot is cut off below this many pixels. */
  fullPageMaxHeight: 16_384,
} as const;

/** A download link lives between a minute and a week. */
export const LINK_MIN_S = 60;
export const LINK_MAX_S = 7 * 24 * 3600;

export interface FileView {
  id: string;
  kind: FileKind;
  name: string;
  contentType: string;
  /** Bytes; 0 until the file is ready. */
  size: number;
  sha256: string | null;
  status: FileStatus;
  jobId: string | null;
  createdAt: Date;
  readyAt: Date | null;
}

/** Where a file's bytes are served (with a cookie or a bearer token, or a link's `token`). */
export const downloadPath = (fileId: string) => `/api/files/${encodeURIComponent(fileId)}/download`;

/** A size as a person reads it: "512 bytes", "4.2 KB", "12 KB", "3.4 MB" (1 KB = 1,024 bytes). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value)} ${units[unit]}`;
}
