import { z } from "zod";
import { documentSchema } from "@/shared/files/document";
import { CSV_CELL_MAX_CHARS, CSV_MAX_COLUMNS, CSV_MAX_ROWS, EXPORT_KINDS, FILE_KINDS, LINK_MAX_S, LINK_MIN_S, SCREENSHOT_LIMITS, URL_MAX_CHARS } from "@/shared/files";
import { text } from "@/shared/input";
import { JOB_PRIORITIES } from "@/shared/jobs";


const fileId = z.uuid("That is not a file id.");
const priority = z.enum(JOB_PRIORITIES).optional();

/** Scheme and shape here; where the address leads (no private networks) is checked by the service. */
const pageUrl = text()
  .trim()
  .min(1, "Enter the address of the page.")
  .max(URL_MAX_CHARS, `Keep the address under ${URL_MAX_CHARS} characters.`)
  .refine((value) => URL.canParse(value), "That is not a web address (it should start with https://).");

const dimension = (name: "width" | "height") => {
  const { min, max } = SCREENSHOT_LIMITS[name];
  return z.number().int().min(min, `The ${name} is at least ${min} pixels.`).max(max, `The ${name} is at most ${max} pixels.`).optional();
};

const documentInput = (kind: "pdf" | "docx") => z.object({ kind: z.literal(kind), document: documentSchema, priority }).strict();

const csvRows = z
  .array(z.array(text().max(CSV_CELL_MAX_CHARS)).max(CSV_MAX_COLUMNS, `At most ${CSV_MAX_COLUMNS} columns.`))
  .min(1, "Give at least one row.")
  .max(CSV_MAX_ROWS, `At most ${CSV_MAX_ROWS} rows; export larger data instead.`);

/**
 * `files.create`: `kind` picks the rest (DESIGN.md's shapes). A CSV is either the rows given or
 * an export of the caller's own data.
 */
export const createInput = z.discriminatedUnion("kind", [
  documentInput("pdf"),
  documentInput("docx"),
  // Either the rows or an export: one object (a discriminated union takes one option per kind).
  z
    .object({ kind: z.literal("csv"), rows: csvRows.optional(), export: z.enum(EXPORT_KINDS, `Choose one of: ${EXPORT_KINDS.join(", ")}.`).optional(), priority })
    .strict()
    .refine((csv) => (csv.rows === undefined) !== (csv.export === undefined), { message: "Give either rows or an export, not both.", path: ["rows"] }),
  z.object({ kind: z.literal("screenshot"), url: pageUrl, fullPage: z.boolean().optional(), width: dimension("width"), height: dimension("height"), priority }).strict(),
  z.object({ kind: z.literal("pagepdf"), url: pageUrl, priority }).strict(),
]);
export type CreateInput = z.infer<typeof createInput>;

export const fileIdInput = z.object({ fileId }).strict();

export const listInput = z
  .object({ kind: z.enum(FILE_KINDS).optional(), cursor: fileId.nullish(), limit: z.number().int().min(1).max(100).default(20) })
  .strict()
  .default({ limit: 20 });
export type ListInput = z.infer<typeof listInput>;

export const downloadLinkInput = z
  .object({
    fileId,
    expiresInS: z
      .number()
      .int()
      .min(LINK_MIN_S, `A link lasts at least ${LINK_MIN_S} seconds.`)
      .max(LINK_MAX_S, "A link lasts at most 7 days."),
  })
  .strict();

export const revokeLinkInput = z.object({ linkId: z.uuid("That is not a link id.") }).strict();
