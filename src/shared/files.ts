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

/** CSV rows given in the request: the request body (1 MB) is the real bound; these name it. */
export const CSV_MAX_ROWS = 10_000;
export const CSV_MAX_COLUMNS = 100;
export const CSV_CELL_MAX_CHARS = 10_000;

export const URL_MAX_CHARS = 2_048;

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
