"use client";
/**
 * A live session room in the browser: the session as `byId` (or `join`) returned it, then every
 * event of `sessions.events` from its `lastEventId` on, folded into one state — participants and
 * who is online, the chat and activity feed, the kind's shared state, help requests and nudges.
 *
 * The parts: roomReducer.ts (the state and how each event changes it, pure), useRoomStream.ts
 * (the live link, resuming and catching up), and here the snapshot, the collaboration document,
 * the feed's past (`history`) and the actions the room's components call.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import * as Y from "yjs";
import { useTRPCClient } from "@/trpc/react";
import { FEED_EVENT_TYPES, type SessionEvent } from "@/shared/sessions/events";
import { fromBase64, REMOTE } from "./docBinding";
import { reduceRoom, type RoomState, type Snapshot } from "./roomReducer";
import { useRoomStream, type LinkState } from "./useRoomStream";

export { initialRoom } from "./roomReducer";
export type { FeedItem, HelpRequest, Nudge, Participant, RoomSession, RoomState, SessionEvent, Snapshot } from "./roomReducer";
export type { LinkState } from "./useRoomStream";

/** Event types the chat feed shows (and reads back with `history`). */
export const FEED_TYPES: string[] = [...FEED_EVENT_TYPES];
/** How many feed lines one `history` page reads. */
const HISTORY_PAGE = 60;

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

export function useSessionRoom(sessionId: string, myId: string): UseSessionRoom {
  const client = useTRPCClient();
  const [room, dispatch] = useReducer(reduceRoom, null);
  const [generation, setGeneration] = useState(0);
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

  // The feed's recent past: what happened up to the snapshot, read once per load.
  useEffect(() => {
    const snapshot = snapshotRef.current;
    if (!generation || !snapshot || !snapshot.me) return;
    let cancelled = false;
    const before = (BigInt(snapshot.lastEventId) + 1n).toString();
    client.sessions.history
      .query({ sessionId, before, limit: HISTORY_PAGE, types: FEED_TYPES })
      .then((page) => !cancelled && dispatch({ type: "history", items: page.items, nextBefore: page.nextBefore, myId }))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [client, sessionId, generation, myId]);

  const onEvent = useCallback(
    (id: string, event: SessionEvent) => {
      if (event.type === "doc" && docRef.current) {
        try {
          Y.applyUpdate(docRef.current, fromBase64(event.update), REMOTE);
        } catch {
          // An update this document cannot take is skipped, as the server does.
        }
      }
      dispatch({ type: "event", id, event, myId });
    },
    [myId],
  );
  const onForbidden = useCallback(() => dispatch({ type: "left" }), []);

  const link = useRoomStream({ sessionId, generation, present: room?.present ?? false, endedAtLoad, lastId, onEvent, onForbidden });

  const olderBefore = room?.olderBefore ?? null;
  const loadOlder = useCallback(async () => {
    if (!olderBefore) return;
    setLoadingOlder(true);
    try {
      const page = await client.sessions.history.query({ sessionId, before: olderBefore, limit: HISTORY_PAGE, types: FEED_TYPES });
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
