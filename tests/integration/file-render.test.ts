import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { strFromU8, unzipSync } from "fflate";
import { PDFParse } from "pdf-parse";
import { describe, expect, it } from "vitest";
import { csvStream } from "@/server/features/files/render/csv";
import { renderDocx } from "@/server/features/files/render/docx";
import { renderPdf } from "@/server/features/files/render/pdf";
import { documentSchema } from "@/shared/files/document";
import { readAll } from "./support/file-storage";
import { pngDataUrl, sampleDocument } from "./support/documents";

async function pdfText(bytes: Buffer) {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return await parser.getText();
  } finally {
    await parser.destroy();
  }
}

describe("PDF renderer", () => {
  it("writes the title, author, every heading, paragraphs, bullets, table cells and page numbers", async () => {
    const doc = documentSchema.parse(sampleDocument(3));
    const bytes = await readAll(renderPdf(doc, { date: new Date("2026-03-04T12:00:00Z") }));
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const { text, total, pages } = await pdfText(bytes);
    expect(text).toContain("Quarterly Wellbeing Report");
    expect(text).toContain("Ada Lovelace");
    expect(text).toContain("2026-03-04");
    for (const section of doc.sections) expect(text).toContain(section.heading);
    expect(text).toContain("Paragraph of section 2.");
    expect(text).toContain("Bullet alpha 1");
    expect(text).toContain("Bullet beta 3");
    expect(text).toContain("metric-2-6");
    expect(text).toContain("Comment");
    expect(text).toContain("A blue rectangle");
    expect(pages[0]?.text).toContain(`Page 1 of ${total}`);
    // The running header: the title on every page, not only in the title block.
    for (const page of pages) expect(page.text).toContain("Quarterly Wellbeing Report");
  });

  it("numbers a 10+ page document and repeats a long table's header row on each page", async () => {
    const doc = documentSchema.parse(sampleDocument(4, 120));
    const { total, pages } = await pdfText(await readAll(renderPdf(doc)));
    expect(total).toBeGreaterThanOrEqual(10);
    expect(pages.at(-1)?.text).toContain(`Page ${total} of ${total}`);
    const tablePages = pages.filter((page) => /metric-\d+-\d+/.test(page.text));
    expect(tablePages.length).toBeGreaterThan(4);
    for (const page of tablePages) expect(page.text).toMatch(/Metric\s+Value\s+Comment/);
  });

  it("replaces characters outside WinAnsi with ? instead of failing", async () => {
    const doc = documentSchema.parse({ title: "Ünïcode café €5", sections: [{ heading: "Emoji 🎉 and 漢字", bullets: ["tab\there"] }] });
    const { text } = await pdfText(await readAll(renderPdf(doc)));
    expect(text).toContain("Ünïcode café €5");
    expect(text).toContain("Emoji ? and ??");
  });

  it("refuses image bytes that are no PNG, with the section named", () => {
    const doc = documentSchema.parse({ title: "T", sections: [{ heading: "H" }, { heading: "I", image: { dataUrl: "data:image/png;base64,aGVsbG8=" } }] });
    expect(() => renderPdf(doc)).toThrow("The image of section 2 is not a readable PNG.");
  });
});

describe("DOCX renderer", () => {
  it("holds headings, bullets as numbering, table cells, an image, and header/footer parts with PAGE fields", async () => {
    const doc = documentSchema.parse(sampleDocument(2));
    const files = unzipSync(new Uint8Array(await renderDocx(doc)));
    const xml = strFromU8(files["word/document.xml"] ?? new Uint8Array());
    expect(xml).toContain("Quarterly Wellbeing Report");
    expect(xml).toContain('w:val="Title"');
    for (const section of doc.sections) expect(xml).toContain(section.heading);
    expect(xml).toContain('w:val="Heading1"');
    expect(xml).toMatch(/<w:numPr>.*?<w:numId w:val="\d+"\/>.*?<\/w:numPr>.*?Bullet alpha 1/s);
    expect(strFromU8(files["word/numbering.xml"] ?? new Uint8Array())).toContain('w:val="bullet"');
    expect(xml).toContain("<w:tbl>");
    expect(xml).toContain("<w:tblHeader/>");
    expect(xml).toContain("metric-2-6");
    expect(Object.keys(files).some((name) => name.startsWith("word/media/") && name.endsWith(".png"))).toBe(true);

    const parts = (prefix: string) => Object.entries(files).filter(([name]) => name.startsWith(`word/${prefix}`)).map(([, data]) => strFromU8(data));
    expect(parts("header").some((part) => part.includes("Quarterly Wellbeing Report"))).toBe(true);
    const footer = parts("footer").join("\n");
    expect(footer).toMatch(/<w:instrText[^>]*>\s*PAGE\s*<\/w:instrText>/);
    expect(footer).toMatch(/<w:instrText[^>]*>\s*NUMPAGES\s*<\/w:instrText>/);
    expect(footer).toContain("Page ");
  });

  it("keeps control characters out of the XML", async () => {
    const doc = documentSchema.parse({ title: "Bell\u0007", sections: [{ heading: "H", paragraphs: ["line one\nline two"] }] });
    const xml = strFromU8(unzipSync(new Uint8Array(await renderDocx(doc)))["word/document.xml"] ?? new Uint8Array());
    expect(xml).not.toContain("\u0007");
    expect(xml).toContain("Bell?");
    expect(xml).toMatch(/line one<\/w:t>.*<w:br\/>.*line two/s);
  });
});

describe("CSV", () => {
  const header = ["name", "note", "amount"];
  const rows = [
    ["Smith, Jane", 'said "hi"', "12"],
    ["multi\nline", "cr\rlf\r\n", "-12.5"],
    ["naïve 漢字 🎉", "", "+3"],
    ["=SUM(A1:A2)", "+cmd", "-1+1"],
    ["@import", "\tindent", "\rreturn"],
    ["plain", "-", "1e6"],
  ];
  const neutralised = new Set(["=SUM(A1:A2)", "+cmd", "-1+1", "@import", "\tindent", "\rreturn", "-"]);

  it("is RFC 4180 and parses back to the same rows, formula cells quoted with a leading '", async () => {
    const out = (await readAll(csvStream(header, rows))).toString("utf8");
    expect(out.startsWith("name,note,amount\r\n")).toBe(true);
    expect(out).toContain('"Smith, Jane","said ""hi""",12\r\n');
    expect(out).toContain(`"multi\nline"`);
    expect(out.endsWith("\r\n")).toBe(true);
    const parsed: string[][] = parseSync(out, { relax_column_count: false });
    expect(parsed[0]).toEqual(header);
    expect(parsed.slice(1)).toEqual(rows.map((row) => row.map((cell) => (neutralised.has(cell) ? `'${cell}` : cell))));
    // Plain numbers keep their sign: a spreadsheet reads them as numbers, nothing runs.
    expect(parsed[2]?.[2]).toBe("-12.5");
    expect(parsed[3]?.[2]).toBe("+3");
  });

  it("streams 100,000 rows with back-pressure: the source never runs far ahead of the reader", async () => {
    const total = 100_000;
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    async function* generate() {
      for (let i = 0; i < total; i++) {
        produced++;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield [String(i), `row ${i}, with a comma`, "=1+1", "x".repeat(50)];
      }
    }
    const parser = parse();
    let last: string[] = [];
    await pipeline(csvStream(["i", "text", "formula", "pad"], generate()), parser, async function (records: AsyncIterable<string[]>) {
      for await (const record of records) {
        consumed++;
        last = record;
        // A slow reader: the writer must wait for it rather than fill memory.
        if (consumed % 10_000 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    expect(consumed).toBe(total + 1);
    expect(last).toEqual([String(total - 1), `row ${total - 1}, with a comma`, "'=1+1", "x".repeat(50)]);
    // Stream buffers hold a few hundred rows at most; without back-pressure this would be ~100,000.
    expect(maxAhead).toBeLessThan(5_000);
  });

  it("fails the stream when the row source fails", async () => {
    async function* broken() {
      yield ["a"];
      throw new Error("export query failed");
    }
    await expect(readAll(csvStream(["x"], broken()))).rejects.toThrow("export query failed");
  });
});

describe("document schema", () => {
  it("accepts the sample and a PNG image", () => {
    expect(documentSchema.safeParse(sampleDocument(1)).success).toBe(true);
    expect(documentSchema.safeParse({ title: "T", sections: [{ heading: "H", image: { dataUrl: pngDataUrl(2, 2) } }] }).success).toBe(true);
  });

  it.each([
    ["an unknown key", { title: "T", sections: [{ heading: "H" }], extra: 1 }, /Unrecognized key/],
    ["an unknown section key", { title: "T", sections: [{ heading: "H", html: "<b>" }] }, /Unrecognized key/],
    ["no sections", { title: "T", sections: [] }, /at least 1|>=1/],
    ["an empty title", { title: "", sections: [{ heading: "H" }] }, /at least 1|>=1/],
    ["a ragged table", { title: "T", sections: [{ heading: "H", table: { header: ["a", "b"], rows: [["1", "2"], ["3"]] } }] }, /Row 2 has 1 cells; the header has 2/],
    ["a GIF", { title: "T", sections: [{ heading: "H", image: { dataUrl: "data:image/gif;base64,R0lGOD==" } }] }, /png;base64/],
    ["an image over 700 KB", { title: "T", sections: [{ heading: "H", image: { dataUrl: `data:image/png;base64,${"A".repeat(960_000)}` } }] }, /at most 700 KB/],
    ["13 columns", { title: "T", sections: [{ heading: "H", table: { header: Array(13).fill("c"), rows: [] } }] }, /at most 12|<=12/],
  ])("refuses %s", (_, input, message) => {
    const result = documentSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join("\n")).toMatch(message);
  });
});

