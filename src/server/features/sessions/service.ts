/**
 * Live group sessions: the service the router calls, put together from its parts —
 *   events.ts     the event log: event ⇄ row, channels, readers
 *   write.ts      the one write path (lock, load, check, write, commit, announce); rows.ts its SQL
 *   access.ts     who may do what
 *   commands.ts   create, join, leave, timer, chat, state updates, help requests
 *   queries.ts    list, byId, history
 *   documents.ts  the collaboration document and its compaction
 *   presence.ts   who is connected, batched into the log
 *   live.ts       `events`: live delivery and replay
 *   tables.ts     the SQL table names
 */
import type { App } from "@/server/app";
import { createCommands } from "./commands.js";
import { createDocuments } from "./documents.js";
import { createLive } from "./live.js";
import { Presence } from "./presence.js";
import { createQueries } from "./queries.js";
import { createWriter } from "./write.js";

export type { SessionState } from "@/shared/sessions/state";
export type { SessionEvent, SessionEventType } from "./events.js";
export { applyPresence, type PresenceBatch, type PresenceUser } from "./presence.js";

/** A busy session queues its writers on its lock: give them longer than a request usually takes. */
const WRITE_LOCK_TIMEOUT_MS = 15_000;

export function createSessionsService(app: App) {
  /** Tunables; tests may lower them. */
  const settings = {
    /** Loading a document with at least this many updates after its snapshot writes a new snapshot. */
    compactAfterUpdates: 100,
    /** A write queued this long on its session's lock (an overloaded server) is refused: TOO_MANY_REQUESTS. */
    writeLockTimeoutMs: WRITE_LOCK_TIMEOUT_MS,
    /**
     * Presence is written at most once per session, instance and window (one batched event): this
     * many ms, or `presenceWindowPerUserMs` per user of the session on this instance if that is
     * more (every presence event goes to every subscriber: a thousand people connecting to one
     * room then cost a few dozen events, not a few hundred), but at most `presenceWindowMaxMs`.
     */
    presenceWindowMs: 200,
    presenceWindowPerUserMs: 0.5,
    presenceWindowMaxMs: 5_000,
  };

  const writer = createWriter(app, settings);
  const presence = new Presence(
    (sessionId, changes) =>
      writer.change(sessionId, null, async ({ session, emit }) => {
        if (session.status === "ended") return; // the log of an ended session is closed
        const who = ({ userId, name }: { userId: string; name: string }) => ({ userId, name });
        await emit({
          type: "presence",
          instance: app.instanceId,
          online: changes.filter((c) => c.online).map(who),
          offline: changes.filter((c) => !c.online).map(who),
        });
      }),
    (err) => app.databaseAvailability.report(err) || app.log.warn({ err }, "could not record presence"),
    (users) => Math.min(settings.presenceWindowMaxMs, Math.max(settings.presenceWindowMs, users * settings.presenceWindowPerUserMs)),
  );
  const queries = createQueries(app, createDocuments(app, settings));
  const commands = createCommands(app, writer, queries);
  const live = createLive(app, presence);

  return {
    settings,
    ...commands,
    ...queries,
    events: live.events,
    /** Waits for pending presence writes: call after the server stopped serving, before the database closes. */
    flush: () => presence.flush(),
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
