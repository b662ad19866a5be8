"use client";
import { connectionStyles } from "@/components/ConnectionIndicator";
import { cx } from "@/components/ui";
import type { LinkState } from "./useSessionRoom";

const LABEL: Record<LinkState["state"], string> = {
  connecting: "Connecting…",
  live: "Connected",
  reconnecting: "Reconnecting…",
  "catching-up": "Catching up…",
  "caught-up": "Caught up",
  ended: "Session ended",
  stopped: "Not following",
  error: "Disconnected",
};

const TITLE: Record<LinkState["state"], string> = {
  connecting: "Joining the room's live stream…",
  live: "Connected: everything in the room arrives as it happens.",
  reconnecting: "The connection dropped. Pulse is reconnecting and will replay everything you missed.",
  "catching-up": "Back online: replaying what happened while you were away…",
  "caught-up": "Back online: you have everything that happened while you were away.",
  ended: "The session has ended; nothing more will happen here.",
  stopped: "This page is no longer following the room.",
  error: "The live stream stopped.",
};

/** The room's live stream, in words: live, reconnecting…, catching up…, caught up. */
export function SessionLinkIndicator({ link }: { link: LinkState }) {
  return (
    <span
      className={cx(connectionStyles.conn, connectionStyles.pill)}
      data-state={link.state}
      role="status"
      title={link.state === "error" ? link.message : TITLE[link.state]}
      data-testid="room-connection"
    >
      <span className={connectionStyles.dot} aria-hidden="true" />
      <span>{LABEL[link.state]}</span>
    </span>
  );
}
