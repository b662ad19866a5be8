/**
 * What the New file form holds, per kind, and how it becomes `files.create`'s input. The
 * document builder edits text the way people type it (a paragraph per blank line, a bullet per
 * line, a table as pasted CSV); `toCreateInput` turns that into the document model.
 */
import { parse } from "csv-parse/browser/esm/sync";
import { SCREENSHOT_LIMITS, type ExportKind, type FileKind } from "@/shared/files";
import type { JobPriority } from "@/shared/jobs";
import type { RouterInputs } from "@/trpc/types";

export type CreateInput = RouterInputs["files"]["create"];

export interface SectionDraft {
  key: number;
  heading: string;
  paragraphs: string;
  bullets: string;
  table: string;
  image: { dataUrl: string; alt: string; name: string } | null;
}

export interface Draft {
  kind: FileKind;
  priority: JobPriority;
  title: string;
  author: string;
  sections: SectionDraft[];
  csvSource: "export" | "rows";
  csvExport: ExportKind;
  csvRows: string;
  url: string;
  fullPage: boolean;
  width: number;
  height: number;
}

let nextKey = 1;
export const emptySection = (heading = ""): SectionDraft => ({ key: nextKey++, heading, paragraphs: "", bullets: "", table: "", image: null });

export const EXAMPLE_DOCUMENT: Pick<Draft, "title" | "author" | "sections"> = {
  title: "Quarterly wellbeing report",
  author: "",
  sections: [
    {
      ...emptySection("Summary"),
      paragraphs: "Participation in live sessions grew this quarter, with breathing breaks the most popular kind.\n\nCheck-ins show lower stress on days with a morning meditation.",
      bullets: "Sessions held: 128\nAverage group size: 9\nCheck-ins answered: 1,042",
    },
    {
      ...emptySection("By session kind"),
      table: "Kind,Sessions,Average minutes\nMeditation,41,14\nBreathing,52,6\nStress check-in,23,4\nCollaboration,12,38",
    },
  ],
};

export const INITIAL_DRAFT: Draft = {
  kind: "pdf",
  priority: "normal",
  ...EXAMPLE_DOCUMENT,
  csvSource: "export",
  csvExport: "jobs",
  csvRows: "",
  url: "",
  fullPage: false,
  width: SCREENSHOT_LIMITS.width.default,
  height: SCREENSHOT_LIMITS.height.default,
};

/** A problem the form can name before asking the server: which field, and what to do. */
export class DraftError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const lines = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

/** Pasted CSV (or tab-separated, as spreadsheets copy) into rows of cells. */
export function parseTable(text: string): string[][] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  const firstLine = trimmed.split("\n", 1)[0]!;
  const delimiter = firstLine.includes("\t") ? "\t" : firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",";
  return parse(trimmed, { delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
}

function sectionInput(section: SectionDraft, index: number) {
  const where = `Section ${index + 1}`;
  if (!section.heading.trim()) throw new DraftError(`sections.${index}.heading`, `${where} needs a heading.`);
  const paragraphs = section.paragraphs
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, " ").trim())
    .filter(Boolean);
  const bullets = lines(section.bullets).map((bullet) => bullet.replace(/^[-*•]\s*/, ""));
  let table;
  if (section.table.trim()) {
    let rows: string[][];
    try {
      rows = parseTable(section.table);
    } catch {
      throw new DraftError(`sections.${index}.table`, `${where}: the table could not be read as CSV. Check its quotes.`);
    }
    const [header = [], ...body] = rows;
    const ragged = body.findIndex((row) => row.length !== header.length);
    if (ragged >= 0) {
      throw new DraftError(`sections.${index}.table`, `${where}: row ${ragged + 2} of the table has ${body[ragged]!.length} cells; the header has ${header.length}.`);
    }
    table = { header, rows: body };
  }
  return {
    heading: section.heading.trim(),
    ...(paragraphs.length ? { paragraphs } : {}),
    ...(bullets.length ? { bullets } : {}),
    ...(table ? { table } : {}),
    ...(section.image ? { image: { dataUrl: section.image.dataUrl, ...(section.image.alt.trim() ? { alt: section.image.alt.trim() } : {}) } } : {}),
  };
}

export function toCreateInput(draft: Draft): CreateInput {
  const priority = draft.priority === "normal" ? {} : { priority: draft.priority };
  switch (draft.kind) {
    case "pdf":
    case "docx": {
      if (!draft.title.trim()) throw new DraftError("title", "Give the document a title.");
      if (draft.sections.length === 0) throw new DraftError("sections", "Add at least one section.");
      const document = {
        title: draft.title.trim(),
        ...(draft.author.trim() ? { author: draft.author.trim() } : {}),
        sections: draft.sections.map(sectionInput),
      };
      return { kind: draft.kind, document, ...priority };
    }
    case "csv": {
      if (draft.csvSource === "export") return { kind: "csv", export: draft.csvExport, ...priority };
      let rows: string[][];
      try {
        rows = parseTable(draft.csvRows);
      } catch {
        throw new DraftError("rows", "Those rows could not be read as CSV. Check the quotes.");
      }
      if (rows.length === 0) throw new DraftError("rows", "Paste at least one row.");
      return { kind: "csv", rows, ...priority };
    }
    case "screenshot":
    case "pagepdf": {
      const url = draft.url.trim();
      if (!url) throw new DraftError("url", "Enter the address of the page.");
      // "example.com" means https; "localhost:3000" is a host and port, not a scheme.
      const withScheme = /^[a-z][a-z0-9+.-]*:(\/\/|(?!\d))/i.test(url) ? url : `https://${url}`;
      if (draft.kind === "pagepdf") return { kind: "pagepdf", url: withScheme, ...priority };
      return { kind: "screenshot", url: withScheme, fullPage: draft.fullPage, width: draft.width, height: draft.height, ...priority };
    }
  }
}
