import type { Metadata } from "next";
import { FilesView } from "./FilesView";

export const metadata: Metadata = { title: "Files" };

export default function FilesPage() {
  return <FilesView />;
}
