/**
 * The system feature's tables in plain SQL: the one maintenance row, the Broadcast log that
 * `system.events` streams, and each person's read marker.
 */
import type pg from "pg";
import type { EventSource, StoredEvent } from "@/server/bus/stream";
import type { BroadcastLevel, BroadcastView, MaintenanceState, SystemEvent } from "@/shared/system";

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** The bus channel on which each new Broadcast row's id is announced (broadcasts and maintenance changes). */
export const SYSTEM_CHANNEL = "system:events";
/**
 * Writers of the Broadcast log take this transaction-level advisory lock, so ids commit in order:
 * a reader that has seen id n never later finds an n − 1 (the stream contract, bus/stream.ts).
 */
const LOG_LOCK = 7265740;

const BROADCAST_COLUMNS = `b.id::text AS id, b.kind::text AS kind, b.text, b.level::text AS level, b."maintenanceOn",
  b."authorId"::text AS "authorId", u.name AS "authorName", b."createdAt"`;
const BROADCAST_FROM = `"Broadcast" b LEFT JOIN "User" u ON u.id = b."authorId"`;

interface BroadcastRow {
  id: string;
  kind: "message" | "maintenance";
  text: string;
  level: BroadcastLevel;
  maintenanceOn: boolean | null;
  authorId: string | null;
  authorName: string | null;
  createdAt: Date;
}

const person = (id: string | null, name: string | null) => (id ? { id, name: name ?? "" } : null);

function toBroadcast(row: BroadcastRow): BroadcastView {
  return { id: row.id, text: row.text, level: row.level, author: person(row.authorId, row.authorName), createdAt: row.createdAt };
}

function toEvent(row: BroadcastRow): SystemEvent {
  if (row.kind === "message") return { type: "broadcast", broadcast: toBroadcast(row) };
  return { type: "maintenance", maintenance: { on: row.maintenanceOn === true, message: row.text, changedAt: row.createdAt, changedBy: person(row.authorId, row.authorName) } };
}

export const OFF: MaintenanceState = { on: false, message: "", changedAt: null, changedBy: null };

export async function readMaintenance(q: Queryable): Promise<MaintenanceState> {
  const { rows } = await q.query<{ on: boolean; message: string; changedAt: Date | null; changedById: string | null; changedByName: string | null }>(
    `SELECT m.on, m.message, m."changedAt", m."changedById"::text AS "changedById", u.name AS "changedByName"
       FROM "Maintenance" m LEFT JOIN "User" u ON u.id = m."changedById" WHERE m.id = 1`,
  );
  const row = rows[0];
  return row ? { on: row.on, message: row.message, changedAt: row.changedAt, changedBy: person(row.changedById, row.changedByName) } : OFF;
}

/** Takes the log's lock: call first thing in a transaction that appends to it. */
export async function lockLog(client: pg.PoolClient): Promise<void> {
  await client.query("SELECT pg_advisory_xact_lock($1)", [LOG_LOCK]);
}

export async function writeMaintenance(client: pg.PoolClient, state: { on: boolean; message: string; changedById: string }): Promise<void> {
  await client.query(
    `INSERT INTO "Maintenance" (id, "on", message, "changedById", "changedAt") VALUES (1, $1, $2, $3, now())
     ON CONFLICT (id) DO UPDATE SET "on" = EXCLUDED."on", message = EXCLUDED.message, "changedById" = EXCLUDED."changedById", "changedAt" = EXCLUDED."changedAt"`,
    [state.on, state.message, state.changedById],
  );
}

/** Appends to the log (under `lockLog`) → the new row's id. */
export async function appendBroadcast(
  client: pg.PoolClient,
  entry: { kind: "message" | "maintenance"; text: string; level: BroadcastLevel; maintenanceOn: boolean | null; authorId: string },
): Promise<bigint> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO "Broadcast" (kind, text, level, "maintenanceOn", "authorId") VALUES ($1::"BroadcastKind", $2, $3::"BroadcastLevel", $4, $5) RETURNING id::text AS id`,
    [entry.kind, entry.text, entry.level, entry.maintenanceOn, entry.authorId],
  );
  return BigInt(rows[0]!.id);
}

export async function insertAudit(q: Queryable, entry: { actorId: string; action: string; target: string | null; ip: string | null; detail: object }): Promise<void> {
  await q.query(`INSERT INTO "AuditLog" ("actorId", action, target, ip, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
    entry.actorId,
    entry.action,
    entry.target,
    entry.ip,
    JSON.stringify(entry.detail),
  ]);
}

export async function newestEventId(q: Queryable): Promise<bigint> {
  const { rows } = await q.query<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM "Broadcast"`);
  return BigInt(rows[0]!.id);
}

export async function broadcastById(q: Queryable, id: bigint): Promise<BroadcastView> {
  const { rows } = await q.query<BroadcastRow>(`SELECT ${BROADCAST_COLUMNS} FROM ${BROADCAST_FROM} WHERE b.id = $1`, [id.toString()]);
  return toBroadcast(rows[0]!);
}

/**
 * A person's unread broadcasts, the newest `limit`, oldest first: above their read marker, recent,
 * and sent since they joined (a broadcast speaks to the people there when it was sent; a new
 * account is not greeted by a week of old news).
 */
export async function unreadBroadcasts(q: Queryable, userId: string, recentDays: number, limit: number): Promise<BroadcastView[]> {
  const { rows } = await q.query<BroadcastRow>(
    `SELECT ${BROADCAST_COLUMNS} FROM ${BROADCAST_FROM}
      WHERE b.kind = 'message'
        AND b.id > coalesce((SELECT r."lastReadBroadcastId" FROM "BroadcastRead" r WHERE r."userId" = $1), 0)
        AND b."createdAt" > now() - make_interval(days => $2)
        AND b."createdAt" >= (SELECT "createdAt" FROM "User" WHERE id = $1)
      ORDER BY b.id DESC LIMIT $3`,
    [userId, recentDays, limit],
  );
  return rows.map(toBroadcast).reverse();
}

/** The newest broadcasts (not maintenance changes), newest first: the Admin page's list. */
export async function recentBroadcasts(q: Queryable, limit: number): Promise<BroadcastView[]> {
  const { rows } = await q.query<BroadcastRow>(`SELECT ${BROADCAST_COLUMNS} FROM ${BROADCAST_FROM} WHERE b.kind = 'message' ORDER BY b.id DESC LIMIT $1`, [limit]);
  return rows.map(toBroadcast);
}

/**
 * Moves a person's read marker up to `upToId` (never down, never past the newest broadcast, so
 * one not yet written cannot be marked read) → the marker now.
 */
export async function markRead(q: Queryable, userId: string, upToId: bigint): Promise<bigint> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO "BroadcastRead" ("userId", "lastReadBroadcastId")
       VALUES ($1, LEAST($2::bigint, (SELECT coalesce(max(id), 0) FROM "Broadcast")))
     ON CONFLICT ("userId") DO UPDATE
       SET "lastReadBroadcastId" = GREATEST("BroadcastRead"."lastReadBroadcastId", EXCLUDED."lastReadBroadcastId"), "updatedAt" = now()
     RETURNING "lastReadBroadcastId"::text AS id`,
    [userId, upToId.toString()],
  );
  return BigInt(rows[0]!.id);
}

/** The Broadcast log as a resumable stream: every row is the same event for every subscriber. */
export function systemEventSource(q: Queryable): EventSource<SystemEvent> {
  return {
    channel: SYSTEM_CHANNEL,
    async readAfter(afterId: bigint, limit: number): Promise<StoredEvent<SystemEvent>[]> {
      const { rows } = await q.query<BroadcastRow>(`SELECT ${BROADCAST_COLUMNS} FROM ${BROADCAST_FROM} WHERE b.id > $1 ORDER BY b.id LIMIT $2`, [afterId.toString(), limit]);
      return rows.map((row) => ({ id: BigInt(row.id), event: toEvent(row) }));
    },
    newestId: () => newestEventId(q),
  };
}
