import Link from "next/link";
import { buttonClass, ui } from "@/components/ui";
import { Gate } from "./Gate";

/** A link to a session that does not exist (or is not a session id at all). */
export function SessionNotFound() {
  return (
    <Gate>
      <h1 className={ui.pageTitle}>Session not found</h1>
      <p className="muted">The link may be wrong, or the session may have been removed.</p>
      <Link href="/sessions" className={buttonClass({ variant: "primary" })}>
        See all sessions
      </Link>
    </Gate>
  );
}
