import { PNG } from "pngjs";
import type { DocumentModel } from "@/shared/files/document";

/** A real PNG of the given size, as the document model's data URL. */
export function pngDataUrl(width: number, height: number): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([30, 120, 200, 255], i);
  return `data:image/png;base64,${PNG.sync.write(png).toString("base64")}`;
}

/** A document of `sections` sections, each with every kind of content; long enough for about a page each. */
export function sampleDocument(sections = 3, tableRows = 6): DocumentModel {
  return {
    title: "Quarterly Wellbeing Report",
    author: "Ada Lovelace",
    sections: Array.from({ length: sections }, (_, s) => ({
      heading: `Heading number ${s + 1}`,
      paragraphs: [`Paragraph of section ${s + 1}. ` + "Calm breathing lowers the heart rate. ".repeat(40)],
      bullets: [`Bullet alpha ${s + 1}`, `Bullet beta ${s + 1}`],
      table: {
        header: ["Metric", "Value", "Comment"],
        rows: Array.from({ length: tableRows }, (_, r) => [`metric-${s + 1}-${r + 1}`, String(r * 7), `note ${r + 1}`]),
      },
      ...(s === 0 ? { image: { dataUrl: pngDataUrl(120, 60), alt: "A blue rectangle" } } : {}),
    })),
  };
}
