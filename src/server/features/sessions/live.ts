/**
 * Live delivery, described: `sessions.events` as resumable streams of the event log — a
 * session's to its present participants, every session's help requests to admins, an ended
 * session's replay. The transport delivers the descriptions (`live()` in trpc/live.ts). Presence
 * follows the streams: a participant is online on this instance while one of their streams runs here.
 */
import type { App } from "@/server/app";
import { eventStream, type EventStream } from "@/server/bus/live";
import type { EventSource, StoredEvent } from "@/server/bus/stream";
import { forbidden, notFound } from "@/server/errors";
import type { Caller } from "./access.js";
import { channelOf, eventsAfter, HELP_CHANNEL, helpRequestsAfter, newestEventId, newestHelpRequestId, type SessionEvent } from "./events.js";
import type { Presence } from "./presence.js";
import { loadFollower } from "./rows.js";
import type { EventsInput } from "./schemas.js";

/** A session's event log as a stream source: one small object per follower, its methods shared. */
class SessionSource implements EventSource<SessionEvent> {
  readonly channel: string;

  constructor(
    private readonly pool: App["pool"],
    private readonly sessionId: string,
  ) {
    this.channel = channelOf(sessionId);
  }

  readAfter(afterId: bigint, limit: number): Promise<StoredEvent<SessionEvent>[]> {
    return eventsAfter(this.pool, this.sessionId, afterId, limit);
  }

  newestId(): Promise<bigint> {
    return newestEventId(this.pool, this.sessionId);
  }
}

export function createLive(app: App, presence: Presence) {
  const { db, pool } = app;

  const sessionSource = (sessionId: string): EventSource<SessionEvent> => new SessionSource(pool, sessionId);

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
   * Checks run before the description is returned, so they fail the subscription with their code.
   */
  async function events(caller: Caller, input: EventsInput): Promise<EventStream<SessionEvent>> {
    const after = input.lastEventId ? BigInt(input.lastEventId) : undefined;
    const userId = caller.user.id;
    // A nudge is for the others: its sender is not shown their own. Every other event is the
    // stored object itself, shared by every subscriber (and so serialised once).
    const view = (stored: StoredEvent<SessionEvent>) => (stored.event.type === "nudge" && stored.event.userId === userId ? undefined : stored.event);

    if (!input.sessionId) {
      if (caller.user.role !== "ADMIN") throw forbidden("Only admins receive the help requests of every session.");
      return eventStream({ source: helpSource, after });
    }

    const sessionId = input.sessionId;
    const loaded = await loadFollower(pool, sessionId, userId);
    if (!loaded) throw notFound("That session");
    if (!loaded.present) throw forbidden("Join this session to follow it live.");
    const source = sessionSource(sessionId);

    // Nothing more will be written to an ended session: replay what the caller missed, then finish.
    if (loaded.status === "ended") return eventStream({ source, after, view, replayOnly: true });

    const name = caller.user.name;
    return eventStream({
      source,
      after,
      view,
      // The host (and any admin) is served first: a help request reaches them without waiting for the room.
      first: loaded.host || caller.user.role === "ADMIN",
      onStart: () => presence.enter(sessionId, userId, name),
      onEnd: () => presence.exit(sessionId, userId),
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
