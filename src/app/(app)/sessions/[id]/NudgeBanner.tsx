"use client";
import { HeartIcon } from "@/components/sessions/SessionIcons";
import type { Nudge } from "@/components/sessions/useSessionRoom";
import { Button } from "@/components/ui";
import styles from "./NudgeBanner.module.css";

/** Someone is having a hard time: send them a kind word (in the chat), or dismiss. */
export function NudgeBanner({ nudge, onWrite, onDismiss }: { nudge: Nudge; onWrite(): void; onDismiss(): void }) {
  return (
    <div className={styles.banner} role="status" data-testid="nudge-banner">
      <span className={styles.icon}>
        <HeartIcon size={18} />
      </span>
      <p className={styles.text}>{nudge.text}</p>
      <div className={styles.actions}>
        <Button size="sm" variant="primary" onClick={onWrite}>
          Send a kind word
        </Button>
        <Button size="sm" variant="ghost" onClick={onDismiss}>
          Dismiss
        </Button>
      </div>
    </div>
  );
}
