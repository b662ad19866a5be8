"use client";
/**
 * For admins, on every app page: an alert rule crossed on any instance (error rate, p95, heap,
 * event-loop delay) appears at once, and says so again when it clears. It follows
 * `analytics.live` — one small snapshot a second that already carries the alerts that hold —
 * and compares each snapshot's alerts with the last: new ids were raised, missing ids cleared.
 * Alerts that already hold when the page opens are shown too: they are news to this admin.
 */
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import type { AlertView } from "@/shared/analytics";
import { useTRPCClient } from "@/trpc/react";
import { AlertIcon, CheckCircleIcon } from "./icons";
import styles from "./HelpAlerts.module.css";
import { Button, buttonClass, cx } from "./ui";

interface Toast {
  key: string;
  alert: AlertView;
  state: "raised" | "cleared";
}

/** The newest few stay on screen; the Analytics page lists them all. */
const SHOWN = 3;
/** A cleared alert is good news, not a task: it goes away by itself. */
const CLEARED_SHOWN_MS = 10_000;

export function PlatformAlerts() {
  const client = useTRPCClient();
  const pathname = usePathname();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const open = useRef<Map<string, AlertView> | null>(null);

  useEffect(() => {
    const subscription = client.analytics.live.subscribe(undefined, {
      onData: (snapshot) => {
        const now = new Map(snapshot.alerts.map((alert) => [alert.id, alert]));
        const before = open.current ?? new Map<string, AlertView>();
        open.current = now;
        const changes: Toast[] = [];
        for (const [id, alert] of now) if (!before.has(id)) changes.push({ key: `${id}:raised`, alert, state: "raised" });
        for (const [id, alert] of before) if (!now.has(id)) changes.push({ key: `${id}:cleared`, alert, state: "cleared" });
        if (!changes.length) return;
        setToasts((shown) => {
          // A cleared alert replaces its "raised" toast rather than stacking under it.
          const cleared = new Set(changes.filter((c) => c.state === "cleared").map((c) => c.alert.id));
          return [...changes, ...shown.filter((t) => !cleared.has(t.alert.id))].slice(0, SHOWN);
        });
      },
    });
    return () => subscription.unsubscribe();
  }, [client]);

  const clearedKeys = toasts.filter((t) => t.state === "cleared").map((t) => t.key).join(",");
  useEffect(() => {
    if (!clearedKeys) return;
    const timer = setTimeout(() => setToasts((shown) => shown.filter((t) => t.state !== "cleared")), CLEARED_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [clearedKeys]);

  const dismiss = (key: string) => setToasts((shown) => shown.filter((t) => t.key !== key));
  if (!toasts.length) return null;

  return (
    <section className={styles.stack} aria-label="Platform alerts">
      {toasts.map(({ key, alert, state }) => (
        <div key={key} className={cx(styles.alert, state === "cleared" && styles.resolved)} role={state === "raised" ? "alert" : "status"} data-testid="platform-alert">
          {state === "raised" ? <AlertIcon size={18} /> : <CheckCircleIcon size={18} />}
          <div className={styles.text}>
            <strong>{state === "raised" ? alert.message : `Cleared: ${alert.message}`}</strong>
            <span className={styles.time}>on {alert.instance}</span>
          </div>
          <div className={styles.actions}>
            {pathname === "/analytics" || state === "cleared" ? null : (
              <Link href="/analytics" className={buttonClass({ variant: "primary", size: "sm" })} onClick={() => dismiss(key)}>
                Open analytics
              </Link>
            )}
            <Button size="sm" variant="ghost" onClick={() => dismiss(key)}>
              Dismiss
            </Button>
          </div>
        </div>
      ))}
    </section>
  );
}
