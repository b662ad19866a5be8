/**
 * Live delivery: `sessions.events` as resumable streams of the event log (`app.streams`), a
 * session's to its present participants and every session's help requests to admins, and the
 * replay of an ended session. Presence follows the streams: a participant is online on this
 * instance while one of their streams runs here.
 *
 * The slow-consumer check and the `wrap`/`send` plumbing handed down from the router live here
 * for now; they are the transport's, and move to the tRPC layer (one place to rework: this file).
 */
import type { App } from "../../app.js";
import type { EventSource, StoredEvent } from "../../bus/stream.js";
import { forbidden, notFound } from "../../errors.js";
import type { Caller } from "./access.js";
import { channelOf, eventsAfter, HELP_CHANNEL, helpRequestsAfter, newestEventId, newestHelpRequestId, type SessionEvent } from "./events.js";
import type { Presence } from "./presence.js";
import { loadFollower } from "./rows.js";
import type { EventsInput } from "./schemas.js";

/** The socket a subscription is delivered on, when it is a WebSocket (for the slow-consumer check). */
export interface DeliverySocket {
  readonly bufferedAmount: number;
  terminate(): void;
}

const STREAM_PAGE = 500;

export function createLive(app: App, settings: { slowConsumerBytes: number }, presence: Presence) {
  const { db, pool, log, streams } = app;

  function sessionSource(sessionId: string): EventSource<SessionEvent> {
    return {
      channel: channelOf(sessionId),
      readAfter: (afterId, limit) => eventsAfter(pool, sessionId, afterId, limit),
      newestId: () => newestEventId(pool, sessionId),
    };
  }

  const helpSource: EventSource<SessionEvent> = {
    channel: HELP_CHANNEL,
    readAfter: (afterId, limit) => helpRequestsAfter(pool, afterId, limit),
    newestId: () => newestHelpRequestId(pool),
  };

  /**
   * The live stream of a session's events for a present participant: what happened after
   * `lastEventId` (or from now), then live, in order, once each. Marks the caller online on
   * this instance while it runs. Ends after the session's `end` event or the caller's own
   * `left`. Without a session id: the help requests of every session, for admins.
   *
   * `wrap` turns each stored event into what is yielded (the router makes tRPC's tracked
   * envelopes); it runs inside the one generator per subscriber that the stream is, so a
   * thousand subscribers cost a thousand generators, not a chain of them each.
   *
   * Checks run before the stream is returned, so they fail the subscription with their code.
   */
  async function events<U>(
    caller: Caller,
    input: EventsInput,
    options: {
      signal?: AbortSignal;
      socket?: DeliverySocket;
      wrap: (stored: StoredEvent<SessionEvent>) => U;
      /** Delivers a wrapped event without yielding it when it can (see StreamOptions.send). */
      send?: (value: U) => boolean;
    },
  ): Promise<AsyncGenerator<U>> {
    const lastEventId = input.lastEventId ? BigInt(input.lastEventId) : undefined;
    const { signal, socket, wrap, send } = options;
    const userId = caller.user.id;

    /** Past the send-buffer limit the socket is closed (which aborts the stream); the client resumes. */
    function tooSlow(): boolean {
      if (!socket || socket.bufferedAmount <= settings.slowConsumerBytes) return false;
      log.warn({ userId, sessionId: input.sessionId, bufferedBytes: socket.bufferedAmount }, "closing a slow consumer's socket");
      socket.terminate();
      return true;
    }
    const isOwnNudge = ({ event }: StoredEvent<SessionEvent>) => event.type === "nudge" && event.userId === userId;

    if (!input.sessionId) {
      if (caller.user.role !== "ADMIN") throw forbidden("Only admins receive the help requests of every session.");
      return streams(helpSource, lastEventId, { signal, send, map: (stored) => (tooSlow() ? undefined : wrap(stored)) });
    }

    const sessionId = input.sessionId;
    const loaded = await loadFollower(pool, sessionId, userId);
    if (!loaded) throw notFound("That session");
    if (!loaded.present) throw forbidden("Join this session to follow it live.");
    const source = sessionSource(sessionId);

    if (loaded.status === "ended") {
      // Nothing more will be written: replay what the caller missed, then finish.
      return (async function* (): AsyncGenerator<U> {
        let last = lastEventId ?? (await source.newestId());
        for (;;) {
          const page = await source.readAfter(last, STREAM_PAGE);
          for (const stored of page) {
            if (signal?.aborted) return;
            last = stored.id;
            if (isOwnNudge(stored)) continue;
            if (tooSlow()) return;
            yield wrap(stored);
          }
          if (page.length < STREAM_PAGE) return;
        }
      })();
    }

    const name = caller.user.name;
    return streams(source, lastEventId, {
      signal,
      send,
      // The host (and any admin) is served first: a help request reaches them without waiting for the room.
      first: loaded.host || caller.user.role === "ADMIN",
      onStart: () => presence.enter(sessionId, userId, name),
      onEnd: () => presence.exit(sessionId, userId),
      // Skipped once the socket is closed for being too slow: that aborts the stream.
      map: (stored) => (isOwnNudge(stored) || tooSlow() ? undefined : wrap(stored)),
      endsAfter: ({ event }) => {
        if (event.type === "timer" && event.action === "end") return true;
        if (event.type !== "left" || event.userId !== userId) return false;
        // A replayed "left" from before a rejoin does not end the stream.
        return db.sessionParticipant
          .findUnique({ where: { sessionId_userId: { sessionId, userId } }, select: { leftAt: true } })
          .then((me) => Boolean(me?.leftAt));
      },
    });
  }

  return { events, sessionSource, helpSource };
}
