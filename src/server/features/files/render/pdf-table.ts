/** A section's table in the PDF: bordered cells with wrapped text, a shaded header row repeated on every page the table spans. */
import type { DocumentTable } from "@/shared/files/document";
import { winAnsi } from "./pdf-text.js";

const PADDING = 4;
const FONT_SIZE = 9;
const HEADER_FILL = "#e6e6e6";
const BORDER = "#999999";

interface Frame {
  left: number;
  width: number;
  /** The page's lowest usable y (it may change with the page). */
  bottom: () => number;
}

export function drawTable(pdf: PDFKit.PDFDocument, table: DocumentTable, frame: Frame) {
  const columnWidth = frame.width / table.header.length;
  const textWidth = columnWidth - 2 * PADDING;
  const header = table.header.map(winAnsi);
  const headerHeight = rowHeight(pdf, header, textWidth, true);
  // A row taller than a page's room below the header cannot break across pages: its cells are
  // cut to that height, with an ellipsis (a cell holds at most 1,000 characters; in a 12-column
  // table that can be taller than a page).
  const maxRowHeight = () => frame.bottom() - pdf.page.margins.top - headerHeight;

  const startPageIfNeeded = (height: number) => {
    if (pdf.y + height > frame.bottom()) pdf.addPage();
  };

  startPageIfNeeded(headerHeight + Math.min(rowHeight(pdf, table.rows[0] ?? [], textWidth, false), 60));
  drawRow(pdf, header, frame.left, columnWidth, headerHeight, true);

  for (const raw of table.rows) {
    const cells = raw.map(winAnsi);
    const height = Math.min(rowHeight(pdf, cells, textWidth, false), maxRowHeight());
    if (pdf.y + height > frame.bottom()) {
      pdf.addPage();
      drawRow(pdf, header, frame.left, columnWidth, headerHeight, true);
    }
    drawRow(pdf, cells, frame.left, columnWidth, height, false);
  }
  pdf.x = frame.left;
}

function rowHeight(pdf: PDFKit.PDFDocument, cells: string[], textWidth: number, bold: boolean): number {
  pdf.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(FONT_SIZE);
  const tallest = Math.max(FONT_SIZE, ...cells.map((cell) => pdf.heightOfString(cell || " ", { width: textWidth })));
  return tallest + 2 * PADDING;
}

function drawRow(pdf: PDFKit.PDFDocument, cells: string[], left: number, columnWidth: number, height: number, isHeader: boolean) {
  const top = pdf.y;
  cells.forEach((cell, column) => {
    const x = left + column * columnWidth;
    if (isHeader) pdf.rect(x, top, columnWidth, height).fillAndStroke(HEADER_FILL, BORDER);
    else pdf.rect(x, top, columnWidth, height).lineWidth(0.5).strokeColor(BORDER).stroke();
    pdf
      .fillColor("#000000")
      .font(isHeader ? "Helvetica-Bold" : "Helvetica")
      .fontSize(FONT_SIZE)
      .text(cell, x + PADDING, top + PADDING, { width: columnWidth - 2 * PADDING, height: height - 2 * PADDING, ellipsis: true });
  });
  pdf.x = left;
  pdf.y = top + height;
}
