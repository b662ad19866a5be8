/**
 * A live session room's state and how each event changes it: a pure reducer over the snapshot
 * `sessions.byId` (or `join`) returned and every later event of `sessions.events`. No React, no
 * network: useSessionRoom feeds it, and a test can too.
 */
import { withPresence } from "@/shared/sessions/presence";
import type { ParticipantRole, SessionEvent } from "@/shared/sessions/events";
import type { SessionKind, SessionStatus } from "@/shared/sessions/kinds";
import type { SessionState } from "@/shared/sessions/state";
import type { RouterOutputs } from "@/trpc/types";

export type { SessionEvent } from "@/shared/sessions/events";
export type Snapshot = RouterOutputs["sessions"]["byId"];
export type HistoryItem = RouterOutputs["sessions"]["history"]["items"][number];

export interface Participant {
  userId: string;
  name: string;
  role: ParticipantRole;
  joinedAt: Date;
}

export type FeedItem =
  | { kind: "message"; id: string; userId: string; name: string; text: string; at: Date }
  | { kind: "activity"; id: string; text: string; at: Date; tone: "neutral" | "accent" | "danger" | "success" };

export interface HelpRequest {
  id: string;
  userId: string;
  name: string;
  note: string;
  at: Date;
}

export interface Nudge {
  id: string;
  userId: string;
  name: string;
  text: string;
  at: Date;
}

export interface RoomSession {
  id: string;
  kind: SessionKind;
  title: string;
  description: string;
  visibility: string;
  capacity: number;
  status: SessionStatus;
  hostId: string;
  inviteCode: string | null;
  state: SessionState;
}

export interface RoomState {
  session: RoomSession;
  participants: Participant[];
  /** User id → instances where they have a stream open. */
  online: Record<string, string[]>;
  feed: FeedItem[];
  /** Pass as `before` to read older feed items; null when there are none. */
  olderBefore: string | null;
  help: HelpRequest[];
  nudges: Nudge[];
  /** Whether the caller is a present participant. */
  present: boolean;
  /** Bumped by every timer event: panels react to start/pause/resume/end. */
  lastTimer: { action: string; id: string } | null;
}

export type RoomAction =
  | { type: "load"; snapshot: Snapshot }
  | { type: "event"; id: string; event: SessionEvent; myId: string }
  | { type: "history"; items: HistoryItem[]; nextBefore: string | null; myId: string }
  | { type: "dismissHelp"; id: string }
  | { type: "dismissNudge"; id: string }
  | { type: "left" };

/** The feed keeps this many lines; older ones are read back with `history` when asked. */
const FEED_LIMIT = 400;
const HELP_SHOWN = 5;
const NUDGES_SHOWN = 3;

const TIMER_WORDS: Record<string, string> = {
  start: "started the session",
  pause: "paused the session",
  resume: "resumed the session",
  end: "ended the session",
};

function toSession(snapshot: Snapshot): RoomSession {
  return {
    id: snapshot.id,
    kind: snapshot.kind,
    title: snapshot.title,
    description: snapshot.description,
    visibility: snapshot.visibility,
    capacity: snapshot.capacity,
    status: snapshot.status,
    hostId: snapshot.hostId,
    inviteCode: snapshot.inviteCode,
    state: snapshot.state,
  };
}

export function initialRoom(snapshot: Snapshot): RoomState {
  const online: Record<string, string[]> = {};
  for (const p of snapshot.participants) if (p.instances.length) online[p.userId] = [...p.instances];
  return {
    session: toSession(snapshot),
    participants: snapshot.participants.map(({ userId, name, role, joinedAt }) => ({ userId, name, role, joinedAt })),
    online,
    feed: [],
    olderBefore: null,
    help: [],
    nudges: [],
    present: snapshot.me !== null,
    lastTimer: null,
  };
}

/** One event as a feed line, if the feed shows it. */
export function feedItem(id: string, event: SessionEvent, hostId: string, myId: string): FeedItem | null {
  const who = (userId: string, name: string) => (userId === myId ? "You" : name);
  switch (event.type) {
    case "message":
      return { kind: "message", id, userId: event.userId, name: event.name, text: event.text, at: event.at };
    case "joined":
      return { kind: "activity", id, text: `${who(event.userId, event.name)} joined`, at: event.at, tone: "neutral" };
    case "left":
      return { kind: "activity", id, text: `${who(event.userId, event.name)} left`, at: event.at, tone: "neutral" };
    case "timer":
      return { kind: "activity", id, text: `The host ${TIMER_WORDS[event.action] ?? event.action}`, at: event.at, tone: "accent" };
    case "help":
      return {
        kind: "activity",
        id,
        text: `${who(event.userId, event.name)} asked ${event.userId === hostId ? "for help" : "the host for help"}${event.note ? `: “${event.note}”` : ""}`,
        at: event.at,
        tone: "danger",
      };
    case "system":
      return { kind: "activity", id, text: event.text, at: event.at, tone: "accent" };
    default:
      return null;
  }
}

export function reduceRoom(room: RoomState | null, action: RoomAction): RoomState | null {
  if (action.type === "load") return initialRoom(action.snapshot);
  if (!room) return room;
  switch (action.type) {
    case "history": {
      const known = new Set(room.feed.map((item) => item.id));
      const older = action.items
        .map((item) => feedItem(item.id, item.event, room.session.hostId, action.myId))
        .filter((item): item is FeedItem => item !== null && !known.has(item.id));
      return { ...room, feed: [...older, ...room.feed], olderBefore: action.nextBefore };
    }
    case "dismissHelp":
      return { ...room, help: room.help.filter((h) => h.id !== action.id) };
    case "dismissNudge":
      return { ...room, nudges: room.nudges.filter((n) => n.id !== action.id) };
    case "left":
      return { ...room, present: false };
    case "event":
      return applyEvent(room, action.id, action.event, action.myId);
  }
}

/** The room after one live event (`id` is its event id, `myId` the viewer's user id). */
export function applyEvent(room: RoomState, id: string, event: SessionEvent, myId: string): RoomState {
  const item = feedItem(id, event, room.session.hostId, myId);
  const next: RoomState = item ? { ...room, feed: [...room.feed, item].slice(-FEED_LIMIT) } : room;
  switch (event.type) {
    case "joined": {
      const others = next.participants.filter((p) => p.userId !== event.userId);
      return {
        ...next,
        participants: [...others, { userId: event.userId, name: event.name, role: event.role, joinedAt: event.at }],
        present: event.userId === myId ? true : next.present,
      };
    }
    case "left":
      return {
        ...next,
        participants: next.participants.filter((p) => p.userId !== event.userId),
        present: event.userId === myId ? false : next.present,
      };
    case "presence":
      return { ...next, online: withPresence(next.online, event) };
    case "state":
      return { ...next, session: { ...next.session, state: event.state } };
    case "timer":
      return { ...next, session: { ...next.session, state: event.state, status: event.status }, lastTimer: { action: event.action, id } };
    case "help":
      return { ...next, help: [...next.help, { id, userId: event.userId, name: event.name, note: event.note, at: event.at }].slice(-HELP_SHOWN) };
    case "nudge":
      if (event.userId === myId) return next;
      return { ...next, nudges: [...next.nudges, { id, userId: event.userId, name: event.name, text: event.text, at: event.at }].slice(-NUDGES_SHOWN) };
    default:
      return next;
  }
}
