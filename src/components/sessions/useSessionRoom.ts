"use client";
/**
 * A live session room in the browser: the session as `byId` (or `join`) returned it, then every
 * event of `sessions.events` from its `lastEventId` on, folded into one state — participants and
 * who is online, the chat and activity feed, the kind's shared state, help requests and nudges.
 *
 * Resuming: the subscription starts from the snapshot's `lastEventId`; tRPC's wsLink remembers
 * the id of the last `tracked()` event and resubscribes with it after a dropped connection, so
 * the server replays exactly what was missed. Events at or below the last applied id are dropped
 * (a restarted subscription can never apply one twice). After a reconnect the room asks for the
 * newest event id and shows "Catching up…" until it has applied it, then "Caught up".
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import * as Y from "yjs";
import { errorMessage } from "../errors";
import { errorCode, useTRPCClient } from "../../trpc/react";
import type { RouterOutputs } from "../../trpc/types";
import { fromBase64, REMOTE } from "./docBinding";
import type { SessionKind, SessionStatus } from "./kinds";
import type { SessionState } from "./timing";

export type Snapshot = RouterOutputs["sessions"]["byId"];
type Tracked = RouterOutputs["sessions"]["events"] extends AsyncIterable<infer T> ? T : never;
export type SessionEvent = Tracked["data"];
type HistoryItem = RouterOutputs["sessions"]["history"]["items"][number];

export interface Participant {
  userId: string;
  name: string;
  role: "host" | "participant";
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

/** Event types the chat feed shows (and reads back with `history`). */
export const FEED_TYPES = ["message", "joined", "left", "timer", "help", "system"];
const ALL_TYPES = ["message", "joined", "left", "presence", "state", "timer", "help", "nudge", "doc", "system"];
const FEED_LIMIT = 400;

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
function feedItem(id: string, event: SessionEvent, hostId: string, myId: string): FeedItem | null {
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

type Action =
  | { type: "load"; snapshot: Snapshot }
  | { type: "event"; id: string; event: SessionEvent; myId: string }
  | { type: "history"; items: HistoryItem[]; nextBefore: string | null; myId: string }
  | { type: "dismissHelp"; id: string }
  | { type: "dismissNudge"; id: string }
  | { type: "left" };

function reduce(room: RoomState | null, action: Action): RoomState | null {
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

function applyEvent(room: RoomState, id: string, event: SessionEvent, myId: string): RoomState {
  const item = feedItem(id, event, room.session.hostId, myId);
  let next: RoomState = item ? { ...room, feed: [...room.feed, item].slice(-FEED_LIMIT) } : room;
  switch (event.type) {
    case "joined": {
      const others = next.participants.filter((p) => p.userId !== event.userId);
      next = {
        ...next,
        participants: [...others, { userId: event.userId, name: event.name, role: event.role, joinedAt: event.at }],
        present: event.userId === myId ? true : next.present,
      };
      break;
    }
    case "left":
      next = {
        ...next,
        participants: next.participants.filter((p) => p.userId !== event.userId),
        present: event.userId === myId ? false : next.present,
      };
      break;
    case "presence": {
      const online = { ...next.online };
      for (const { userId } of event.online) online[userId] = [...new Set([...(online[userId] ?? []), event.instance])];
      for (const { userId } of event.offline) {
        const rest = (online[userId] ?? []).filter((instance) => instance !== event.instance);
        if (rest.length) online[userId] = rest;
        else delete online[userId];
      }
      next = { ...next, online };
      break;
    }
    case "state":
      next = { ...next, session: { ...next.session, state: event.state } };
      break;
    case "timer":
      next = { ...next, session: { ...next.session, state: event.state, status: event.status }, lastTimer: { action: event.action, id } };
      break;
    case "help":
      next = { ...next, help: [...next.help, { id, userId: event.userId, name: event.name, note: event.note, at: event.at }].slice(-5) };
      break;
    case "nudge":
      if (event.userId !== myId) next = { ...next, nudges: [...next.nudges, { id, userId: event.userId, name: event.name, text: event.text, at: event.at }].slice(-3) };
      break;
    default:
      break;
  }
  return next;
}

/** What the room's live link is doing, in words a person understands. */
export type LinkState =
  | { state: "connecting" }
  | { state: "live" }
  | { state: "reconnecting" }
  | { state: "catching-up" }
  | { state: "caught-up" }
  | { state: "ended" }
  | { state: "stopped" }
  | { state: "error"; message: string };

export interface UseSessionRoom {
  room: RoomState | null;
  link: LinkState;
  /** The collaboration document (collaboration sessions), kept in step with `doc` events. */
  doc: Y.Doc | null;
  /** Load the snapshot a `join` returned (or a fresh `byId`). */
  load(snapshot: Snapshot): void;
  loadOlder(): Promise<void>;
  loadingOlder: boolean;
  dismissHelp(id: string): void;
  dismissNudge(id: string): void;
  markLeft(): void;
}

const CAUGHT_UP_SHOWN_MS = 4_000;

export function useSessionRoom(sessionId: string, myId: string): UseSessionRoom {
  const client = useTRPCClient();
  const [room, dispatch] = useReducer(reduce, null);
  const [generation, setGeneration] = useState(0);
  const [link, setLink] = useState<LinkState>({ state: "connecting" });
  const [doc, setDoc] = useState<Y.Doc | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [endedAtLoad, setEndedAtLoad] = useState(false);
  const lastId = useRef<bigint>(0n);
  const docRef = useRef<Y.Doc | null>(null);
  const snapshotRef = useRef<Snapshot | null>(null);

  const load = useCallback((snapshot: Snapshot) => {
    snapshotRef.current = snapshot;
    lastId.current = BigInt(snapshot.lastEventId);
    docRef.current?.destroy();
    if (snapshot.kind === "collaboration") {
      const next = new Y.Doc();
      if (snapshot.doc) Y.applyUpdate(next, fromBase64(snapshot.doc), REMOTE);
      docRef.current = next;
    } else {
      docRef.current = null;
    }
    setDoc(docRef.current);
    dispatch({ type: "load", snapshot });
    setEndedAtLoad(snapshot.status === "ended");
    setGeneration((g) => g + 1);
  }, []);

  useEffect(() => () => docRef.current?.destroy(), []);

  const present = room?.present ?? false;

  // The feed's recent past: what happened up to the snapshot, read once per load.
  useEffect(() => {
    const snapshot = snapshotRef.current;
    if (!generation || !snapshot || !snapshot.me) return;
    let cancelled = false;
    const before = (BigInt(snapshot.lastEventId) + 1n).toString();
    client.sessions.history
      .query({ sessionId, before, limit: 60, types: FEED_TYPES })
      .then((page) => !cancelled && dispatch({ type: "history", items: page.items, nextBefore: page.nextBefore, myId }))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [client, sessionId, generation, myId]);

  // The live stream, from the snapshot's last event on.
  useEffect(() => {
    if (!generation || !present) return;
    if (endedAtLoad) {
      setLink({ state: "ended" });
      return;
    }
    let dropped = false;
    let target: bigint | null = null;
    let caughtUpTimer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;

    const caughtUp = () => {
      target = null;
      setLink({ state: "caught-up" });
      if (caughtUpTimer) clearTimeout(caughtUpTimer);
      caughtUpTimer = setTimeout(() => setLink((l) => (l.state === "caught-up" ? { state: "live" } : l)), CAUGHT_UP_SHOWN_MS);
    };

    setLink({ state: "connecting" });
    const subscription = client.sessions.events.subscribe(
      { sessionId, lastEventId: lastId.current.toString() },
      {
        onStarted() {
          if (!dropped) {
            setLink({ state: "live" });
            return;
          }
          dropped = false;
          setLink({ state: "catching-up" });
          // The newest event now: once applied, nothing missed remains.
          client.sessions.history
            .query({ sessionId, limit: 1, types: ALL_TYPES })
            .then((page) => {
              if (stopped) return;
              const newest = page.items.at(-1)?.id;
              if (!newest || BigInt(newest) <= lastId.current) caughtUp();
              else target = BigInt(newest);
            })
            .catch(() => !stopped && caughtUp());
        },
        onData({ id, data }) {
          const eventId = BigInt(id);
          if (eventId <= lastId.current) return;
          lastId.current = eventId;
          if (data.type === "doc" && docRef.current) {
            try {
              Y.applyUpdate(docRef.current, fromBase64(data.update), REMOTE);
            } catch {
              // An update this document cannot take is skipped, as the server does.
            }
          }
          dispatch({ type: "event", id, event: data, myId });
          if (data.type === "timer" && data.action === "end") setLink({ state: "ended" });
          if (target !== null && eventId >= target) caughtUp();
        },
        onConnectionStateChange(state) {
          if (state.state === "connecting" && state.error) {
            dropped = true;
            target = null;
            setLink({ state: "reconnecting" });
          }
        },
        onError(error) {
          const code = errorCode(error);
          if (code === "FORBIDDEN") dispatch({ type: "left" });
          setLink({ state: "error", message: errorMessage(error) });
        },
        onComplete() {
          // The server ends the stream after the session's end, or after we left.
          setLink((l) => (l.state === "ended" ? l : { state: "stopped" }));
        },
      },
    );
    return () => {
      stopped = true;
      if (caughtUpTimer) clearTimeout(caughtUpTimer);
      subscription.unsubscribe();
    };
  }, [client, sessionId, generation, present, endedAtLoad, myId]);

  const olderBefore = room?.olderBefore ?? null;
  const loadOlder = useCallback(async () => {
    if (!olderBefore) return;
    setLoadingOlder(true);
    try {
      const page = await client.sessions.history.query({ sessionId, before: olderBefore, limit: 60, types: FEED_TYPES });
      dispatch({ type: "history", items: page.items, nextBefore: page.nextBefore, myId });
    } finally {
      setLoadingOlder(false);
    }
  }, [client, sessionId, olderBefore, myId]);

  return useMemo(
    () => ({
      room,
      link,
      doc,
      load,
      loadOlder,
      loadingOlder,
      dismissHelp: (id: string) => dispatch({ type: "dismissHelp", id }),
      dismissNudge: (id: string) => dispatch({ type: "dismissNudge", id }),
      markLeft: () => dispatch({ type: "left" }),
    }),
    [room, link, doc, load, loadOlder, loadingOlder],
  );
}
