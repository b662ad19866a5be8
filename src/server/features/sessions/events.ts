/**
 * The session event log on the server: how an event becomes a row and back (once each), the
 * channels its ids are announced on, and the plain-SQL readers the streams and `byId` use.
 *
 * The streams' reads run for every event (once per instance) and every subscriber that connects:
 * plain SQL on the pool, which costs a fraction of the CPU of the same query through Prisma.
 */
import type { Prisma } from "@/server/db/index";
import type { SessionEvent } from "@/shared/sessions/events";
import type { Queryable } from "./rows.js";
import { EVENT, HELP_REQUEST, SESSION } from "./tables.js";

export type { SessionEvent, SessionEventType } from "@/shared/sessions/events";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event to append: the log stamps `at` (its row's `createdAt`). */
export type NewEvent = DistributiveOmit<SessionEvent, "at">;

/** The bus channel of one session's event ids. */
export const channelOf = (sessionId: string) => `sessions:${sessionId}`;
/** The bus channel of every session's help requests (the admins' inbox). */
export const HELP_CHANNEL = "sessions:help";

export interface EventRow {
  type: string;
  payload: Prisma.JsonValue;
  userId: string | null;
  createdAt: Date;
}

/** A stored row as the event clients receive: the payload, its type, its user, its time. */
export function toEvent(row: EventRow): SessionEvent {
  return { ...(row.payload as object), type: row.type, ...(row.userId ? { userId: row.userId } : {}), at: row.createdAt } as SessionEvent;
}

/** An event as its row's columns: the user it concerns has a column of its own, the rest is payload. */
function toRow(event: NewEvent): { type: string; userId: string | null; payload: string } {
  const { type, ...rest } = event;
  const { userId, ...payload } = rest as { userId?: string };
  return { type, userId: userId ?? null, payload: JSON.stringify(payload) };
}

/**
 * Appends events to a session's log, in order; returns their ids (ascending). Call it under the
 * session's lock (write.ts), so that ids commit in order.
 */
export async function insertEvents(q: Queryable, sessionId: string, events: NewEvent[]): Promise<bigint[]> {
  if (!events.length) return [];
  const params: unknown[] = [sessionId];
  const values = events.map((event) => {
    const row = toRow(event);
    params.push(row.type, row.userId, row.payload);
    const n = params.length;
    return `($1, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
  });
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO ${EVENT} ("sessionId", type, "userId", payload) VALUES ${values.join(", ")} RETURNING id::text AS id`,
    params,
  );
  return rows.map((row) => BigInt(row.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function newestEventId(q: Queryable, sessionId: string): Promise<bigint> {
  const { rows } = await q.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM ${EVENT} WHERE "sessionId" = $1`, [sessionId]);
  return BigInt(rows[0]?.id ?? 0);
}

// Ordered by the bigint column, not by the text alias `id` (which would put "10" before "9").
const EVENTS_AFTER = `
  SELECT e.id::text AS id, e.type, e.payload, e."userId"::text AS "userId", e."createdAt"
  FROM ${EVENT} e WHERE e."sessionId" = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`;

/** A session's events after `afterId`, oldest first, at most `limit`. */
export async function eventsAfter(q: Queryable, sessionId: string, afterId: bigint, limit: number): Promise<{ id: bigint; event: SessionEvent }[]> {
  const { rows } = await q.query<EventRow & { id: string }>(EVENTS_AFTER, [sessionId, afterId.toString(), limit]);
  return rows.map((row) => ({ id: BigInt(row.id), event: toEvent(row) }));
}

/** Every session's help requests after `afterId` (the help stream's own ids), as `help` events. */
export async function helpRequestsAfter(q: Queryable, afterId: bigint, limit: number): Promise<{ id: bigint; event: SessionEvent }[]> {
  const { rows } = await q.query<{ id: string; sessionId: string; sessionTitle: string; userId: string; name: string; note: string; createdAt: Date }>(
    `SELECT h.id::text AS id, h."sessionId"::text AS "sessionId", s.title AS "sessionTitle", h."userId"::text AS "userId", h.name, h.note, h."createdAt"
     FROM ${HELP_REQUEST} h JOIN ${SESSION} s ON s.id = h."sessionId"
     WHERE h.id > $1 ORDER BY h.id LIMIT $2`,
    [afterId.toString(), limit],
  );
  return rows.map((row) => ({
    id: BigInt(row.id),
    event: {
      type: "help" as const,
      priority: "high" as const,
      sessionId: row.sessionId,
      sessionTitle: row.sessionTitle,
      userId: row.userId,
      name: row.name,
      note: row.note,
      at: row.createdAt,
    },
  }));
}

export async function newestHelpRequestId(q: Queryable): Promise<bigint> {
  const { rows } = await q.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM ${HELP_REQUEST}`);
  return BigInt(rows[0]?.id ?? 0);
}

/**
 * User id → the instances where they have a stream open, from the presence events up to
 * `throughId`: per (user, instance), the last presence event that names the user decides.
 */
export async function onlineInstances(q: Queryable, sessionId: string, throughId: bigint): Promise<Map<string, string[]>> {
  const { rows } = await q.query<{ userId: string; instance: string; online: boolean }>(
    `SELECT DISTINCT ON (p."userId", e.payload->>'instance') p."userId", e.payload->>'instance' AS instance, p.online
     FROM ${EVENT} e
     CROSS JOIN LATERAL (
       SELECT x->>'userId' AS "userId", true AS online FROM jsonb_array_elements(e.payload->'online') x
       UNION ALL
       SELECT x->>'userId', false FROM jsonb_array_elements(e.payload->'offline') x
     ) p
     WHERE e."sessionId" = $1::uuid AND e.type = 'presence' AND e.id <= $2
     ORDER BY p."userId", e.payload->>'instance', e.id DESC`,
    [sessionId, throughId.toString()],
  );
  const online = new Map<string, string[]>();
  for (const row of rows) {
    if (!row.online) continue;
    const instances = online.get(row.userId);
    if (instances) instances.push(row.instance);
    else online.set(row.userId, [row.instance]);
  }
  return online;
}
