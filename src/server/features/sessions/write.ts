/**
 * The one write path of live sessions. Every change is one transaction on one pooled connection
 * that takes the session's advisory lock first, loads the session and the caller's participant
 * row, lets the command check (access.ts) and write its rows and events, commits, and then
 * announces the newest event id on the bus. Holding the lock while inserting makes a session's
 * events commit in id order, which is what the resumable stream (`app.streams`) needs to deliver
 * them with no gap and no duplicate. An error anywhere rolls the whole change back, events included.
 *
 * Plain SQL rather than Prisma: the hot writes (a chat line, a help request) cost a fraction of
 * the CPU — taken from the core that then delivers the event to every subscriber — and fewer
 * round trips; BEGIN, the lock timeout and the lock go in one.
 */
import type pg from "pg";
import type { App } from "@/server/app";
import { AppError, notFound } from "@/server/errors";
import { channelOf, insertEvents, type NewEvent } from "./events.js";
import { loadForChange, type ParticipantRow, type SessionRow } from "./rows.js";

/** Namespace of the sessions feature's advisory locks (two-int form: its own key space). */
export const LOCK_NAMESPACE = 0x5345_5353; // "SESS"

export interface Change {
  /** The transaction's connection (rows.ts takes it). */
  client: pg.PoolClient;
  session: SessionRow;
  /** The caller's participant row (present or not), when the change was made for a user. */
  me: ParticipantRow | null;
  /** Appends events to the session's log (under the session's lock); returns their ids. */
  emit(...events: NewEvent[]): Promise<bigint[]>;
}

export interface WriterSettings {
  /** A writer queued this long on a session's lock (an overloaded server) is refused: TOO_MANY_REQUESTS. */
  writeLockTimeoutMs: number;
}

export function createWriter(app: App, settings: WriterSettings) {
  const { pool, bus, log } = app;

  /** Publishes the newest id of a committed write; a failure only delays delivery (see below). */
  async function announce(channel: string, id: bigint | undefined): Promise<void> {
    if (id === undefined) return;
    try {
      await bus.publish(channel, id.toString());
    } catch (err) {
      // Committed but not announced: subscribers get it with the channel's next announcement (or
      // when the bus reconnects, if the database went away).
      if (!app.databaseAvailability.report(err)) log.warn({ err, channel }, "could not announce a session event");
    }
  }

  /** Takes another advisory lock of the namespace inside a transaction (always after the session's). */
  async function lock(client: pg.PoolClient, key: string): Promise<void> {
    await client.query("SELECT pg_advisory_xact_lock($1::int4, hashtext($2))", [LOCK_NAMESPACE, key]);
  }

  /** A transaction holding the lock `lockKey` (a session id). Throwing in `fn` rolls it back. */
  async function transaction<T>(lockKey: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      // One round trip (a simple query: no parameters, hence the escaped literal) for the three.
      await client.query(
        `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(settings.writeLockTimeoutMs))};` +
          ` SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${client.escapeLiteral(lockKey)}))`,
      );
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((err: Error) => (broken = err));
      // lock_not_available: queued on the session's lock past lock_timeout — the server is overloaded.
      if ((error as { code?: string }).code === "55P03") {
        throw new AppError("TOO_MANY_REQUESTS", "This session is too busy right now: try again in a moment.", 1);
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * One change to a session, for `userId` (null: for the server itself, e.g. presence): lock,
   * load, check and write, commit, announce. NOT_FOUND when the session does not exist.
   */
  async function change<T>(sessionId: string, userId: string | null, fn: (change: Change) => Promise<T>): Promise<T> {
    const ids: bigint[] = [];
    const result = await transaction(sessionId, async (client) => {
      const loaded = await loadForChange(client, sessionId, userId);
      if (!loaded) throw notFound("That session");
      const emit = async (...events: NewEvent[]) => {
        const created = await insertEvents(client, sessionId, events);
        ids.push(...created);
        return created;
      };
      return fn({ client, session: loaded.session, me: loaded.me, emit });
    });
    await announce(channelOf(sessionId), ids.at(-1));
    return result;
  }

  return { announce, lock, transaction, change };
}

export type Writer = ReturnType<typeof createWriter>;
