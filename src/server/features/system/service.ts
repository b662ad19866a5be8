/**
 * Platform-wide state: maintenance mode and admins' broadcasts.
 *
 * Both are written to PostgreSQL first — the one `Maintenance` row, and a row of the `Broadcast`
 * log (which also records each maintenance switch, so `system.events` can replay both in order)
 * with its audit row in the same transaction — and only then announced on the bus. Every
 * instance caches the maintenance state, re-reads it on each announcement (and when the bus
 * reconnects, and every half minute in case one was missed), and checks mutations against the
 * cache: the check costs no query.
 *
 * While maintenance is on, a mutation from anyone but an admin is refused with PRECONDITION_FAILED
 * and the admin's message. Not 503: the platform is up and answering; a refusal by policy must not
 * count as a server failure, which would raise the error-rate alert and degrade `/health` — and a
 * load balancer could then take healthy instances out. A few mutations still work (see
 * `ALLOWED_DURING_MAINTENANCE`).
 */
import type pg from "pg";
import type { App } from "@/server/app";
import { eventStream, type EventStream } from "@/server/bus/live";
import { AppError } from "@/server/errors";
import type { Caller, RequestMeta } from "@/server/features/auth/service";
import { maintenanceRefusal, SYSTEM_LIMITS, type BroadcastLevel, type BroadcastView, type MaintenanceState, type SystemEvent, type SystemStatus } from "@/shared/system";
import * as rows from "./rows.js";

/**
 * What anyone may still do while maintenance is on: sign in (so admins can get in) and out, end
 * their own logins and tokens (security does not wait), and dismiss broadcasts. Signing up is refused.
 */
export const ALLOWED_DURING_MAINTENANCE: ReadonlySet<string> = new Set(["auth.signIn", "auth.signOut", "auth.revokeSession", "auth.revokeApiToken", "system.markRead"]);

/** A missed announcement (the bus was down and its reconnect raced) is caught up this often. */
const REFRESH_MS = 30_000;

export function createSystemService(app: App) {
  const { pool, bus, log } = app;
  const source = rows.systemEventSource(pool);
  let maintenance: MaintenanceState = rows.OFF;
  let unsubscribe: (() => void) | undefined;
  let stopReconnect: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** Re-reads coalesce: one at a time, and one more if asked meanwhile. */
  let reading: Promise<void> | undefined;
  let again = false;

  function refresh(): Promise<void> {
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      do {
        again = false;
        try {
          maintenance = await rows.readMaintenance(pool);
        } catch (err) {
          log.debug({ err }, "could not re-read maintenance mode; keeping the last known state");
        }
      } while (again);
    })().finally(() => (reading = undefined));
    return reading;
  }

  /** One transaction under the log's lock; the new row is announced after the commit. */
  async function appendToLog(write: (client: pg.PoolClient) => Promise<bigint>): Promise<bigint> {
    const client = await pool.connect();
    let id: bigint;
    try {
      await client.query("BEGIN");
      await rows.lockLog(client);
      id = await write(client);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    // Announced, not awaited as part of the write: it committed; a lost announcement is caught up on reconnect.
    await bus.publish(rows.SYSTEM_CHANNEL, id.toString()).catch((err: unknown) => log.warn({ err }, "could not announce a system event"));
    return id;
  }

  return {
    /** Reads the state, then follows announcements. */
    async start(): Promise<void> {
      unsubscribe = await bus.subscribe(rows.SYSTEM_CHANNEL, () => void refresh());
      stopReconnect = bus.onReconnect(() => void refresh());
      maintenance = await rows.readMaintenance(pool);
      timer = setInterval(() => void refresh(), REFRESH_MS);
      timer.unref();
    },

    async stop(): Promise<void> {
      clearInterval(timer);
      unsubscribe?.();
      stopReconnect?.();
      await reading;
    },

    /** This instance's view of maintenance mode (the cache the gate reads). */
    maintenance: (): MaintenanceState => maintenance,

    /**
     * The gate every mutation passes (trpc.ts): throws PRECONDITION_FAILED, with the admin's
     * message, for a non-admin's mutation while maintenance is on.
     */
    checkMutation(path: string, caller: Caller | null): void {
      if (!maintenance.on || caller?.user.role === "ADMIN" || ALLOWED_DURING_MAINTENANCE.has(path)) return;
      throw new AppError("PRECONDITION_FAILED", maintenanceRefusal(maintenance.message));
    },

    /** Admins: switches maintenance mode (a new message while on replaces the old) → the new state. */
    async setMaintenance(caller: Caller, input: { on: boolean; message?: string }, meta: RequestMeta | null): Promise<MaintenanceState> {
      const message = input.on ? (input.message ?? "") : "";
      await appendToLog(async (client) => {
        await rows.writeMaintenance(client, { on: input.on, message, changedById: caller.user.id });
        const id = await rows.appendBroadcast(client, { kind: "maintenance", text: message, level: "warning", maintenanceOn: input.on, authorId: caller.user.id });
        await rows.insertAudit(client, {
          actorId: caller.user.id,
          action: input.on ? "admin.maintenanceOn" : "admin.maintenanceOff",
          target: null,
          ip: meta?.ip ?? null,
          detail: input.on ? { message, eventId: id.toString() } : { eventId: id.toString() },
        });
        return id;
      });
      // This instance knows at once; the others when the announcement arrives.
      maintenance = { on: input.on, message, changedAt: new Date(), changedBy: { id: caller.user.id, name: caller.user.name } };
      await refresh();
      return maintenance;
    },

    /** Admins: a message to everyone signed in, now and (unread) later → the broadcast. Read already by its author. */
    async broadcast(caller: Caller, input: { text: string; level?: BroadcastLevel }, meta: RequestMeta | null): Promise<BroadcastView> {
      const level = input.level ?? "info";
      const id = await appendToLog(async (client) => {
        const id = await rows.appendBroadcast(client, { kind: "message", text: input.text, level, maintenanceOn: null, authorId: caller.user.id });
        await rows.insertAudit(client, { actorId: caller.user.id, action: "admin.broadcast", target: id.toString(), ip: meta?.ip ?? null, detail: { level, text: input.text } });
        await rows.markRead(client, caller.user.id, id);
        return id;
      });
      return rows.broadcastById(pool, id);
    },

    /** The newest broadcasts, newest first (the Admin page). */
    recentBroadcasts: (limit: number) => rows.recentBroadcasts(pool, limit),

    /**
     * Maintenance mode and the caller's unread broadcasts, and where to follow `events` from. The
     * stream position is read first: an event written meanwhile may come twice (in `unread` and on
     * the stream; the id tells), but none is missed.
     */
    async status(caller: Caller | null): Promise<SystemStatus> {
      const lastEventId = await rows.newestEventId(pool);
      const [state, unread] = await Promise.all([
        rows.readMaintenance(pool),
        caller ? rows.unreadBroadcasts(pool, caller.user.id, SYSTEM_LIMITS.unreadDays, SYSTEM_LIMITS.unreadShown) : Promise.resolve([]),
      ]);
      return { maintenance: state, unread, lastEventId: lastEventId.toString() };
    },

    /** Broadcasts up to this id are read (by every device of the caller) → the read marker now. */
    async markRead(caller: Caller, upToId: string): Promise<{ lastReadId: string }> {
      const marker = await rows.markRead(pool, caller.user.id, BigInt(upToId));
      return { lastReadId: marker.toString() };
    },

    /** Broadcasts and maintenance switches after `lastEventId` (or from now), then live; the same for everyone. */
    events(lastEventId: string | undefined): EventStream<SystemEvent> {
      return eventStream({ source, after: lastEventId === undefined ? undefined : BigInt(lastEventId) });
    },
  };
}

export type SystemService = ReturnType<typeof createSystemService>;
