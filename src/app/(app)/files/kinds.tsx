import { FileIcon, GlobeIcon, LayersIcon, MonitorIcon, type IconProps } from "@/components/icons";
import type { FileKind } from "@/shared/files";

/** How the Files page draws each kind: a short name, a line of description, an icon. */
export const KIND_UI: Record<FileKind, { label: string; blurb: string; Icon: (props: IconProps) => React.ReactNode }> = {
  pdf: { label: "PDF", blurb: "A report with sections", Icon: FileIcon },
  docx: { label: "Word", blurb: "The same, as .docx", Icon: FileIcon },
  csv: { label: "CSV", blurb: "Your data or pasted rows", Icon: LayersIcon },
  screenshot: { label: "Screenshot", blurb: "A web page as PNG", Icon: MonitorIcon },
  pagepdf: { label: "Page PDF", blurb: "A web page as PDF", Icon: GlobeIcon },
};
