"use client";
/**
 * A room's live link: `sessions.events` from the last applied event on, each new event handed to
 * `onEvent` once, and what the link is doing in words a person understands.
 *
 * Resuming: tRPC's wsLink remembers the id of the last `tracked()` event and resubscribes with it
 * after a dropped connection, so the server replays exactly what was missed. Events at or below
 * the last applied id are dropped (a restarted subscription can never apply one twice). After a
 * reconnect the link asks for the newest event id and reads "Catching up…" until it has applied
 * it, then "Caught up".
 */
import { useEffect, useRef, useState, type RefObject } from "react";
import { errorMessage } from "@/components/errors";
import { errorCode, useTRPCClient } from "@/trpc/react";
import { SESSION_EVENT_TYPES, type SessionEvent } from "@/shared/sessions/events";

export type LinkState =
  | { state: "connecting" }
  | { state: "live" }
  | { state: "reconnecting" }
  | { state: "catching-up" }
  | { state: "caught-up" }
  | { state: "ended" }
  | { state: "stopped" }
  | { state: "error"; message: string };

const CAUGHT_UP_SHOWN_MS = 4_000;
const ALL_TYPES = [...SESSION_EVENT_TYPES];

export interface RoomStreamOptions {
  sessionId: string;
  /** Bumped by each snapshot load: the stream restarts from it. */
  generation: number;
  /** Only a present participant may follow the room. */
  present: boolean;
  /** The snapshot showed an ended session: nothing more will come. */
  endedAtLoad: boolean;
  /** The id of the last event applied; the stream starts after it and moves it forward. */
  lastId: RefObject<bigint>;
  /** A new event, in order, once. */
  onEvent(id: string, event: SessionEvent): void;
  /** The server refused the stream with FORBIDDEN: the caller is no longer in the room. */
  onForbidden(): void;
}

export function useRoomStream(options: RoomStreamOptions): LinkState {
  const client = useTRPCClient();
  const [link, setLink] = useState<LinkState>({ state: "connecting" });
  const { sessionId, generation, present, endedAtLoad, lastId } = options;
  // The callbacks change with every render; the subscription must not.
  const callbacks = useRef(options);
  useEffect(() => {
    callbacks.current = options;
  });

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
          callbacks.current.onEvent(id, data);
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
          if (errorCode(error) === "FORBIDDEN") callbacks.current.onForbidden();
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
  }, [client, sessionId, generation, present, endedAtLoad, lastId]);

  return link;
}
