import type { Metadata } from "next";
import { ComingSoon } from "@/components/ComingSoon";
import { FileIcon } from "@/components/icons";

export const metadata: Metadata = { title: "Files & jobs" };

export default function FilesPage() {
  return (
    <ComingSoon
      eyebrow="Workspace"
      title="Files & jobs"
      description="Documents generated in the background: reports, spreadsheets and screenshots."
      icon={<FileIcon size={34} />}
      headline="Generate documents without waiting on a spinner"
      summary="Ask for a PDF report, a Word document, a CSV export or a screenshot of a web page. Pulse makes it in the background and tells you the moment it is ready."
      features={[
        "Generate PDF, DOCX and CSV documents, and screenshots of web pages.",
        "Follow each job live: queued, running, done or failed, with its progress.",
        "Retry a failed job or cancel one that is no longer needed.",
        "Download your files; only you (and admins) can.",
      ]}
    />
  );
}
