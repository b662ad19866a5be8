"use client";
import { HelpIcon } from "@/components/sessions/HelpIcon";
import type { HelpRequest } from "@/components/sessions/useSessionRoom";
import { formatRelative } from "@/components/time";
import { Button } from "@/components/ui";
import styles from "./HelpBanner.module.css";

/** Someone in the room asks for help: who, their note, when, and "Got it". */
export function HelpBanner({ help, now, onDismiss }: { help: HelpRequest; now: number; onDismiss(): void }) {
  return (
    <div className={styles.banner} role="alert" data-testid="help-banner">
      <HelpIcon />
      <div className={styles.text}>
        <strong>{help.name} is asking for help</strong>
        <span>{help.note ? `“${help.note}”` : "No note: check in with them."}</span>
      </div>
      <span className={styles.time}>{formatRelative(help.at, now)}</span>
      <Button size="sm" onClick={onDismiss}>
        Got it
      </Button>
    </div>
  );
}
