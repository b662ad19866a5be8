/**
 * The document model that the `pdf` and `docx` renderers share (DESIGN.md: title, author,
 * sections of heading, paragraphs, bullets, table; plus an optional image). The page's document
 * builder takes its limits from these constants, so that it refuses what the server would.
 */
import { z } from "zod";
import { text } from "@/shared/input";

export const DOCUMENT_TITLE_MAX_CHARS = 200;
export const DOCUMENT_AUTHOR_MAX_CHARS = 100;
export const DOCUMENT_MAX_SECTIONS = 50;
export const HEADING_MAX_CHARS = 200;
export const PARAGRAPH_MAX_CHARS = 10_000;
export const PARAGRAPHS_MAX = 100;
export const BULLET_MAX_CHARS = 1_000;
export const BULLETS_MAX = 100;
export const TABLE_MAX_COLUMNS = 12;
export const TABLE_MAX_ROWS = 500;
export const TABLE_CELL_MAX_CHARS = 1_000;
export const IMAGE_MAX_BYTES = 700 * 1024;
export const IMAGE_ALT_MAX_CHARS = 300;

const IMAGE_DATA_URL = /^data:image\/(png|jpeg);base64,([A-Za-z0-9+/]*={0,2})$/;
/** The longest base64 text of IMAGE_MAX_BYTES, plus the prefix: longer strings are not even parsed. */
const IMAGE_DATA_URL_MAX_CHARS = Math.ceil(IMAGE_MAX_BYTES / 3) * 4 + "data:image/jpeg;base64,".length;

/** The decoded size of a base64 text, without decoding it (no Buffer in the browser). */
export function base64DecodedBytes(base64: string): number {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

export const imageSchema = z
  .object({
    dataUrl: text()
      .max(IMAGE_DATA_URL_MAX_CHARS, `An image is at most ${IMAGE_MAX_BYTES / 1024} KB.`)
      .regex(IMAGE_DATA_URL, 'An image is a "data:image/png;base64,…" or "data:image/jpeg;base64,…" URL.')
      .refine((url) => base64DecodedBytes(url.slice(url.indexOf(",") + 1)) <= IMAGE_MAX_BYTES, `An image is at most ${IMAGE_MAX_BYTES / 1024} KB.`),
    alt: text().max(IMAGE_ALT_MAX_CHARS).optional(),
  })
  .strict();

export const tableSchema = z
  .object({
    header: z.array(text().max(TABLE_CELL_MAX_CHARS)).min(1).max(TABLE_MAX_COLUMNS),
    rows: z.array(z.array(text().max(TABLE_CELL_MAX_CHARS)).max(TABLE_MAX_COLUMNS)).max(TABLE_MAX_ROWS),
  })
  .strict()
  .superRefine((table, ctx) => {
    table.rows.forEach((row, index) => {
      if (row.length !== table.header.length) {
        ctx.addIssue({
          code: "custom",
          path: ["rows", index],
          message: `Row ${index + 1} has ${row.length} cells; the header has ${table.header.length}: every row has one cell per column.`,
        });
      }
    });
  });

export const sectionSchema = z
  .object({
    heading: text().min(1).max(HEADING_MAX_CHARS),
    paragraphs: z.array(text().max(PARAGRAPH_MAX_CHARS)).max(PARAGRAPHS_MAX).optional(),
    bullets: z.array(text().max(BULLET_MAX_CHARS)).max(BULLETS_MAX).optional(),
    table: tableSchema.optional(),
    image: imageSchema.optional(),
  })
  .strict();

export const documentSchema = z
  .object({
    title: text().min(1).max(DOCUMENT_TITLE_MAX_CHARS),
    author: text().max(DOCUMENT_AUTHOR_MAX_CHARS).optional(),
    sections: z.array(sectionSchema).min(1).max(DOCUMENT_MAX_SECTIONS),
  })
  .strict();

export type DocumentModel = z.infer<typeof documentSchema>;
export type DocumentSection = DocumentModel["sections"][number];
export type DocumentTable = NonNullable<DocumentSection["table"]>;
export type DocumentImage = NonNullable<DocumentSection["image"]>;

/** The image's bytes' format and base64 text (the schema has checked its shape). */
export function parseImageDataUrl(dataUrl: string): { format: "png" | "jpeg"; base64: string } {
  const match = IMAGE_DATA_URL.exec(dataUrl);
  if (!match) throw new Error("Not an image data URL.");
  return { format: match[1] as "png" | "jpeg", base64: match[2] ?? "" };
}
