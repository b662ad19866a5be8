"use client";
/**
 * For admins, on every app page: a help request from any session appears at once, with who asked,
 * their note, and a link into the room. It follows `sessions.events` without a session id (the
 * admin help feed); tRPC's wsLink resumes it from the last event after a reconnect, so a request
 * made while the connection was down still arrives.
 */
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { useTRPCClient } from "@/trpc/react";
import styles from "./HelpAlerts.module.css";
import { PlatformAlerts } from "./PlatformAlerts";
import { HelpIcon } from "./sessions/HelpIcon";
import { formatRelative } from "./time";
import { Button, buttonClass } from "./ui";

interface HelpAlert {
  id: string;
  sessionId: string;
  sessionTitle: string;
  name: string;
  note: string;
  at: Date;
}

/** The newest few stay on screen; older ones are in the rooms' feeds and the audit log. */
const SHOWN = 4;

/**
 * Where notices stack, top right of every app page: `children` (everyone's: broadcasts), then for
 * admins platform alerts and help requests.
 */
export function AppToasts({ admin, children }: { admin: boolean; children?: ReactNode }) {
  return (
    <div className={styles.toasts}>
      {children}
      {admin ? (
        <>
          <PlatformAlerts />
          <HelpAlerts />
        </>
      ) : null}
    </div>
  );
}

export function HelpAlerts() {
  const client = useTRPCClient();
  const pathname = usePathname();
  const [alerts, setAlerts] = useState<HelpAlert[]>([]);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const subscription = client.sessions.events.subscribe(
      {},
      {
        onData: ({ id, data: event }) => {
          if (event.type !== "help") return;
          const alert = { id, sessionId: event.sessionId, sessionTitle: event.sessionTitle, name: event.name, note: event.note, at: event.at };
          setAlerts((shown) => (shown.some((a) => a.id === id) ? shown : [alert, ...shown].slice(0, SHOWN)));
        },
      },
    );
    return () => subscription.unsubscribe();
  }, [client]);

  useEffect(() => {
    if (!alerts.length) return;
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [alerts.length]);

  const dismiss = (id: string) => setAlerts((shown) => shown.filter((a) => a.id !== id));
  if (!alerts.length) return null;

  return (
    <section className={styles.stack} aria-label="Help requests">
      {alerts.map((alert) => {
        const inRoom = pathname === `/sessions/${alert.sessionId}`;
        return (
          <div key={alert.id} className={styles.alert} role="alert" data-testid="help-alert">
            <HelpIcon size="sm" />
            <div className={styles.text}>
              <strong>
                {alert.name} needs help in “{alert.sessionTitle}”
              </strong>
              <span>{alert.note ? `“${alert.note}”` : "No note: check in with them."}</span>
              <span className={styles.time}>{formatRelative(alert.at, now)}</span>
            </div>
            <div className={styles.actions}>
              {inRoom ? null : (
                <Link href={`/sessions/${alert.sessionId}`} className={buttonClass({ variant: "primary", size: "sm" })} onClick={() => dismiss(alert.id)}>
                  Open room
                </Link>
              )}
              <Button size="sm" variant="ghost" onClick={() => dismiss(alert.id)}>
                Dismiss
              </Button>
            </div>
          </div>
        );
      })}
    </section>
  );
}
