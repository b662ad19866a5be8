"use client";
/**
 * Admins' broadcasts, for everyone signed in, on every app page: each stays until it is
 * dismissed, which marks it read on every device (the page's SystemProvider keeps them).
 */
import { formatRelative, useNow } from "../time";
import { AlertCircleIcon, AlertIcon, InfoIcon } from "../icons";
import { Button, cx } from "../ui";
import type { BroadcastLevel } from "@/shared/system";
import { useSystem } from "./SystemProvider";
import styles from "./BroadcastToasts.module.css";

const ICON: Record<BroadcastLevel, typeof InfoIcon> = { info: InfoIcon, warning: AlertIcon, critical: AlertCircleIcon };
const TITLE: Record<BroadcastLevel, string> = { info: "Announcement", warning: "Important", critical: "Urgent" };
/** A few stay on screen; dismissing one brings the next. */
const SHOWN = 3;

export function BroadcastToasts() {
  const { broadcasts, dismiss } = useSystem();
  const now = useNow(30_000);
  if (!broadcasts.length) return null;
  const hidden = broadcasts.length - SHOWN;
  return (
    <section className={styles.stack} aria-label="Announcements">
      {broadcasts.slice(0, SHOWN).map((broadcast) => {
        const Icon = ICON[broadcast.level];
        return (
          <div
            key={broadcast.id}
            className={cx(styles.toast, styles[broadcast.level])}
            role={broadcast.level === "info" ? "status" : "alert"}
            data-testid="broadcast-toast"
            data-level={broadcast.level}
          >
            <Icon size={18} />
            <div className={styles.text}>
              <strong>{TITLE[broadcast.level]}</strong>
              <p>{broadcast.text}</p>
              <span className={styles.meta}>
                {broadcast.author ? `${broadcast.author.name} · ` : ""}
                {formatRelative(broadcast.createdAt, now)}
              </span>
            </div>
            <Button size="sm" variant="ghost" onClick={() => dismiss(broadcast.id)} aria-label={`Dismiss: ${broadcast.text.slice(0, 60)}`}>
              Dismiss
            </Button>
          </div>
        );
      })}
      {hidden > 0 ? <p className={styles.more}>{hidden === 1 ? "1 more announcement" : `${hidden} more announcements`}</p> : null}
    </section>
  );
}
