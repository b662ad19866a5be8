/**
 * The `docx` renderer: the same content as the PDF, with Word's own Title and Heading 1 styles,
 * a real bullet numbering, tables with a repeated header row, and a header (the title) and footer
 * ("Page N of M" from PAGE / NUMPAGES fields, which Word fills in).
 */
import {
  AlignmentType,
  Document,
  Footer,
  Header,
  HeadingLevel,
  ImageRun,
  LevelFormat,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type FileChild,
} from "docx";
import type { DocumentModel, DocumentSection, DocumentTable } from "@/shared/files/document";
import { decodeImage, fitWithin } from "./image.js";

const BULLETS = "bullets";
/** A4 with 1-inch margins leaves about 6.3 inches: ImageRun sizes are in pixels at 96 per inch. */
const IMAGE_MAX_WIDTH_PX = 600;
const IMAGE_MAX_HEIGHT_PX = 860;

/**
 * XML 1.0 has no place for most control characters (the schema lets them through: only NUL is
 * refused there); Word refuses a file holding one, so each becomes "?".
 */
function xmlSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "?");
}

/** A paragraph's runs, its line breaks kept as breaks. */
function runs(text: string, options: { bold?: boolean } = {}): TextRun[] {
  return xmlSafe(text)
    .split(/\r\n?|\n/)
    .map((line, index) => new TextRun({ text: line, bold: options.bold, break: index > 0 ? 1 : undefined }));
}

export interface DocxOptions {
  /** The date printed under the title; now by default. */
  date?: Date;
}

export async function renderDocx(doc: DocumentModel, options: DocxOptions = {}): Promise<Buffer> {
  const date = (options.date ?? new Date()).toISOString().slice(0, 10);
  const titleBlock: FileChild[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: runs(doc.title) }),
    ...(doc.author ? [new Paragraph({ children: runs(doc.author) })] : []),
    new Paragraph({ children: [new TextRun({ text: date, color: "555555" })] }),
  ];
  const document = new Document({
    title: xmlSafe(doc.title),
    creator: xmlSafe(doc.author ?? "Pulse"),
    numbering: {
      config: [
        {
          reference: BULLETS,
          levels: [
            { level: 0, format: LevelFormat.BULLET, text: "\u2022", alignment: AlignmentType.LEFT, style: { paragraph: { indent: { left: 720, hanging: 360 } } } },
          ],
        },
      ],
    },
    sections: [
      {
        headers: { default: new Header({ children: [new Paragraph({ children: [new TextRun({ text: xmlSafe(doc.title), color: "555555", size: 18 })] })] }) },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                alignment: AlignmentType.CENTER,
                children: [new TextRun({ children: ["Page ", PageNumber.CURRENT, " of ", PageNumber.TOTAL_PAGES], size: 18 })],
              }),
            ],
          }),
        },
        children: [...titleBlock, ...doc.sections.flatMap((section, index) => sectionBlocks(section, index))],
      },
    ],
  });
  return Packer.toBuffer(document);
}

function sectionBlocks(section: DocumentSection, index: number): FileChild[] {
  const blocks: FileChild[] = [new Paragraph({ heading: HeadingLevel.HEADING_1, children: runs(section.heading) })];
  for (const paragraph of section.paragraphs ?? []) blocks.push(new Paragraph({ children: runs(paragraph) }));
  for (const bullet of section.bullets ?? []) blocks.push(new Paragraph({ numbering: { reference: BULLETS, level: 0 }, children: runs(bullet) }));
  if (section.table) blocks.push(table(section.table), new Paragraph({}));
  if (section.image) {
    const image = decodeImage(section.image, `section ${index + 1}`);
    const size = fitWithin(image, IMAGE_MAX_WIDTH_PX, IMAGE_MAX_HEIGHT_PX);
    const alt = xmlSafe(section.image.alt ?? "");
    blocks.push(
      new Paragraph({
        children: [
          new ImageRun({
            type: image.format === "png" ? "png" : "jpg",
            data: image.bytes,
            transformation: { width: Math.round(size.width), height: Math.round(size.height) },
            altText: { name: `Image ${index + 1}`, description: alt, title: alt },
          }),
        ],
      }),
    );
    if (alt) blocks.push(new Paragraph({ children: [new TextRun({ text: alt, italics: true, color: "555555", size: 18 })] }));
  }
  return blocks;
}

function table(data: DocumentTable): Table {
  const cell = (text: string, isHeader: boolean) =>
    new TableCell({
      shading: isHeader ? { type: ShadingType.CLEAR, color: "auto", fill: "E6E6E6" } : undefined,
      children: [new Paragraph({ children: runs(text, { bold: isHeader }) })],
    });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      // tableHeader: Word repeats this row at the top of each page the table spans.
      new TableRow({ tableHeader: true, children: data.header.map((text) => cell(text, true)) }),
      ...data.rows.map((row) => new TableRow({ children: row.map((text) => cell(text, false)) })),
    ],
  });
}
