/**
 * The `pdf` renderer (pdfkit, standard fonts): a title block, then each section's heading,
 * paragraphs, bullet list, table and image; every page carries the title as a running header and
 * "Page N of M" as its footer.
 */
import type { Readable } from "node:stream";
import PDFDocument from "pdfkit";
import type { DocumentModel, DocumentSection } from "@/shared/files/document";
import { decodeImage, fitWithin } from "./image.js";
import { drawTable } from "./pdf-table.js";
import { winAnsi, winAnsiLine } from "./pdf-text.js";

const MARGIN = { top: 72, bottom: 72, left: 60, right: 60 };
const FONT = "Helvetica";
const BOLD = "Helvetica-Bold";
const OBLIQUE = "Helvetica-Oblique";
const GREY = "#555555";
const BLACK = "#000000";

export interface PdfOptions {
  /** The date printed under the title; now by default. */
  date?: Date;
}

/**
 * Renders the document as a PDF stream. "Page N of M" needs M, so pages are buffered
 * (`bufferPages`) and their headers and footers written once the content is laid out; the bytes
 * then flow out through the returned stream, never gathered into one Buffer here. Throws at once
 * when an image's bytes are not a readable PNG or JPEG.
 */
export function renderPdf(doc: DocumentModel, options: PdfOptions = {}): Readable {
  const pdf = new PDFDocument({
    size: "A4",
    margins: MARGIN,
    bufferPages: true,
    // pdfkit reads every key of `info`: an absent author must be left out, not undefined.
    info: { Title: winAnsiLine(doc.title), ...(doc.author ? { Author: winAnsiLine(doc.author) } : {}), Creator: "Pulse" },
  });
  try {
    writeTitleBlock(pdf, doc, options.date ?? new Date());
    doc.sections.forEach((section, index) => writeSection(pdf, section, index));
    writeRunningHeadersAndFooters(pdf, winAnsiLine(doc.title));
  } catch (error) {
    pdf.destroy();
    throw error;
  }
  pdf.end();
  return pdf;
}

function contentWidth(pdf: PDFKit.PDFDocument): number {
  return pdf.page.width - pdf.page.margins.left - pdf.page.margins.right;
}

function bottomOf(pdf: PDFKit.PDFDocument): number {
  return pdf.page.height - pdf.page.margins.bottom;
}

function writeTitleBlock(pdf: PDFKit.PDFDocument, doc: DocumentModel, date: Date) {
  const width = contentWidth(pdf);
  pdf.font(BOLD).fontSize(24).fillColor(BLACK).text(winAnsi(doc.title), { width });
  pdf.moveDown(0.3);
  if (doc.author) pdf.font(FONT).fontSize(12).fillColor(GREY).text(winAnsiLine(doc.author), { width });
  pdf.font(FONT).fontSize(10).fillColor(GREY).text(date.toISOString().slice(0, 10), { width });
  pdf.moveDown(0.5);
  const y = pdf.y;
  pdf.moveTo(MARGIN.left, y).lineTo(MARGIN.left + width, y).lineWidth(1).strokeColor("#999999").stroke();
  pdf.moveDown(1);
  pdf.fillColor(BLACK);
}

function writeSection(pdf: PDFKit.PDFDocument, section: DocumentSection, index: number) {
  const width = contentWidth(pdf);
  // Keep a heading with at least a few lines of what follows it.
  if (pdf.y + 80 > bottomOf(pdf)) pdf.addPage();
  pdf.font(BOLD).fontSize(16).fillColor(BLACK).text(winAnsi(section.heading), MARGIN.left, pdf.y, { width });
  pdf.moveDown(0.4);

  pdf.font(FONT).fontSize(11);
  for (const paragraph of section.paragraphs ?? []) {
    pdf.text(winAnsi(paragraph), MARGIN.left, pdf.y, { width, align: "left", lineGap: 2 });
    pdf.moveDown(0.6);
  }
  if (section.bullets?.length) {
    pdf.list(section.bullets.map(winAnsi), MARGIN.left, pdf.y, { width, bulletRadius: 2, textIndent: 14, bulletIndent: 4, lineGap: 2 });
    pdf.moveDown(0.6);
  }
  if (section.table) {
    drawTable(pdf, section.table, { left: MARGIN.left, width, bottom: () => bottomOf(pdf) });
    pdf.moveDown(0.6);
  }
  if (section.image) {
    const image = decodeImage(section.image, `section ${index + 1}`);
    const maxHeight = bottomOf(pdf) - pdf.page.margins.top;
    const size = fitWithin(image, width, maxHeight);
    if (pdf.y + size.height > bottomOf(pdf)) pdf.addPage();
    pdf.image(image.bytes, MARGIN.left, pdf.y, size);
    pdf.y += size.height + 4;
    if (section.image.alt) pdf.font(OBLIQUE).fontSize(9).fillColor(GREY).text(winAnsi(section.image.alt), MARGIN.left, pdf.y, { width });
    pdf.fillColor(BLACK).moveDown(0.6);
  }
  pdf.moveDown(0.6);
}

function writeRunningHeadersAndFooters(pdf: PDFKit.PDFDocument, title: string) {
  const { start, count } = pdf.bufferedPageRange();
  for (let index = start; index < start + count; index++) {
    pdf.switchToPage(index);
    const { width, height, margins } = pdf.page;
    const inner = width - margins.left - margins.right;
    // Text below the bottom margin would make pdfkit open a new page: lift the margin while we write.
    const bottomMargin = margins.bottom;
    margins.bottom = 0;
    pdf.font(FONT).fontSize(9).fillColor(GREY);
    pdf.text(title, margins.left, 36, { width: inner, align: "left", lineBreak: false, ellipsis: true, height: 12 });
    pdf.text(`Page ${index - start + 1} of ${count}`, margins.left, height - 48, { width: inner, align: "center", lineBreak: false });
    margins.bottom = bottomMargin;
  }
  pdf.fillColor(BLACK);
}

