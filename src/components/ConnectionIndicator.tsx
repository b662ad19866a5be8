"use client";
import { useConnection, type ConnectionState } from "@/trpc/react";
import { cx } from "./ui";
import styles from "./ConnectionIndicator.module.css";

/** The indicator's classes (`conn`, `pill`, `dot`), for another link's indicator (the room's). */
export { styles as connectionStyles };

const LABEL: Record<ConnectionState, string> = {
  live: "Live",
  connecting: "Connecting…",
  reconnecting: "Reconnecting…",
  idle: "Standby",
};

const TITLE: Record<ConnectionState, string> = {
  live: "Connected: updates arrive in real time.",
  connecting: "Opening the realtime connection…",
  reconnecting: "The realtime connection dropped; Pulse is reconnecting and will catch up.",
  idle: "The realtime connection opens when a page needs live updates.",
};

/** A dot and a word for the realtime socket: live, connecting…, reconnecting…, standby. */
export function ConnectionIndicator({ pill }: { pill?: boolean }) {
  const { state } = useConnection();
  return (
    <span className={cx(styles.conn, pill && styles.pill)} data-state={state} role="status" title={TITLE[state]}>
      <span className={styles.dot} aria-hidden="true" />
      <span>{LABEL[state]}</span>
    </span>
  );
}
