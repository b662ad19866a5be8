/**
 * The rows the write path reads and changes, in plain SQL on the transaction's connection (see
 * write.ts for why not Prisma). Every statement here runs under the session's lock.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { ParticipantRole } from "@/shared/sessions/events";
import type { SessionKind, SessionStatus } from "@/shared/sessions/kinds";
import type { SessionState } from "@/shared/sessions/state";
import { AUDIT_LOG, HELP_REQUEST, PARTICIPANT, PARTICIPANT_COLUMNS, SESSION, sessionColumns } from "./tables.js";

/** A connection or the pool: anything that runs a query. */
export type Queryable = Pick<pg.Pool, "query">;

/** A `LiveSession` row (Prisma's rows of the model fit it too). */
export interface SessionRow {
  id: string;
  kind: SessionKind;
  title: string;
  description: string;
  hostId: string;
  visibility: "public" | "private";
  inviteCode: string | null;
  capacity: number;
  status: SessionStatus;
  config: unknown;
  state: unknown;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** A `SessionParticipant` row: present while `leftAt` is null. */
export interface ParticipantRow {
  id: string;
  sessionId: string;
  userId: string;
  name: string;
  role: ParticipantRole;
  joinedAt: Date;
  leftAt: Date | null;
  stressLevel: number | null;
  stressFactors: string[];
  reportedAt: Date | null;
}

const json = (value: unknown) => JSON.stringify(value);
const unquote = (column: string) => column.replaceAll('"', "");

// The participant's columns come back prefixed (`p_id`, …) beside the session's.
const LOAD_FOR_CHANGE = `
  SELECT ${sessionColumns("s")}, ${PARTICIPANT_COLUMNS.map((c) => `p.${c} AS "p_${unquote(c)}"`).join(", ")}
  FROM ${SESSION} s LEFT JOIN ${PARTICIPANT} p ON p."sessionId" = s.id AND p."userId" = $2
  WHERE s.id = $1`;

/** The session and the caller's participant row (present or past; null without one or without a caller), in one query. */
export async function loadForChange(q: Queryable, sessionId: string, userId: string | null): Promise<{ session: SessionRow; me: ParticipantRow | null } | null> {
  const { rows } = await q.query<Record<string, unknown>>(LOAD_FOR_CHANGE, [sessionId, userId]);
  const row = rows[0];
  if (!row) return null;
  const session: Record<string, unknown> = {};
  const me: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column.startsWith("p_")) me[column.slice(2)] = value;
    else session[column] = value;
  }
  return { session: session as unknown as SessionRow, me: me.id ? (me as unknown as ParticipantRow) : null };
}

export async function insertSession(
  q: Queryable,
  row: Pick<SessionRow, "id" | "kind" | "title" | "description" | "hostId" | "visibility" | "inviteCode" | "capacity" | "config" | "state">,
): Promise<SessionRow> {
  const { rows } = await q.query<SessionRow>(
    `INSERT INTO ${SESSION} (id, kind, title, description, "hostId", visibility, "inviteCode", capacity, config, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb) RETURNING ${sessionColumns(SESSION)}`,
    [row.id, row.kind, row.title, row.description, row.hostId, row.visibility, row.inviteCode, row.capacity, json(row.config), json(row.state)],
  );
  return rows[0]!;
}

export async function insertHost(q: Queryable, sessionId: string, user: { id: string; name: string }): Promise<void> {
  await q.query(`INSERT INTO ${PARTICIPANT} (id, "sessionId", "userId", name, role) VALUES ($1, $2, $3, $4, 'host')`, [
    randomUUID(),
    sessionId,
    user.id,
    user.name,
  ]);
}

export async function countPresent(q: Queryable, sessionId: string): Promise<number> {
  const { rows } = await q.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${PARTICIPANT} WHERE "sessionId" = $1 AND "leftAt" IS NULL`, [sessionId]);
  return rows[0]!.count;
}

/** Joins, or rejoins afresh: an old stress report does not count again unasked. Returns the participant's role. */
export async function enter(q: Queryable, sessionId: string, user: { id: string; name: string }, at: Date): Promise<ParticipantRole> {
  const { rows } = await q.query<{ role: ParticipantRole }>(
    `INSERT INTO ${PARTICIPANT} (id, "sessionId", "userId", name, role) VALUES ($1, $2, $3, $4, 'participant')
     ON CONFLICT ("sessionId", "userId") DO UPDATE SET
       "leftAt" = NULL, "joinedAt" = $5, name = EXCLUDED.name, "stressLevel" = NULL, "stressFactors" = '{}', "reportedAt" = NULL
     RETURNING role`,
    [randomUUID(), sessionId, user.id, user.name, at],
  );
  return rows[0]!.role;
}

export async function markLeft(q: Queryable, participantId: string, at: Date): Promise<void> {
  await q.query(`UPDATE ${PARTICIPANT} SET "leftAt" = $2 WHERE id = $1`, [participantId, at]);
}

export async function saveReport(q: Queryable, participantId: string, report: { level: number; factors: string[] }, at: Date): Promise<void> {
  await q.query(`UPDATE ${PARTICIPANT} SET "stressLevel" = $2, "stressFactors" = $3, "reportedAt" = $4 WHERE id = $1`, [
    participantId,
    report.level,
    report.factors,
    at,
  ]);
}

/** The latest stress report of each present participant who has reported. */
export async function presentReports(q: Queryable, sessionId: string): Promise<{ level: number; factors: string[] }[]> {
  const { rows } = await q.query<{ level: number; factors: string[] }>(
    `SELECT "stressLevel" AS level, "stressFactors" AS factors FROM ${PARTICIPANT}
     WHERE "sessionId" = $1 AND "leftAt" IS NULL AND "stressLevel" IS NOT NULL`,
    [sessionId],
  );
  return rows;
}

export async function saveState(q: Queryable, sessionId: string, state: SessionState): Promise<void> {
  await q.query(`UPDATE ${SESSION} SET state = $2::jsonb WHERE id = $1`, [sessionId, json(state)]);
}

/** A timer action's new status and state; the instant it started or ended, when it did. */
export async function saveTimer(
  q: Queryable,
  sessionId: string,
  change: { status: SessionStatus; state: SessionState; startedAt?: Date; endedAt?: Date },
): Promise<SessionRow> {
  const { rows } = await q.query<SessionRow>(
    `UPDATE ${SESSION} SET status = $2, state = $3::jsonb, "startedAt" = COALESCE($4, "startedAt"), "endedAt" = COALESCE($5, "endedAt")
     WHERE id = $1 RETURNING ${sessionColumns(SESSION)}`,
    [sessionId, change.status, json(change.state), change.startedAt ?? null, change.endedAt ?? null],
  );
  return rows[0]!;
}

/** The help stream's row (its id orders the admins' inbox) for a help event already in the session's log. */
export async function insertHelpRequest(
  q: Queryable,
  request: { sessionId: string; userId: string; name: string; note: string; eventId: bigint },
): Promise<bigint> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO ${HELP_REQUEST} ("sessionId", "userId", name, note, "eventId") VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id`,
    [request.sessionId, request.userId, request.name, request.note, request.eventId.toString()],
  );
  return BigInt(rows[0]!.id);
}

export async function insertAudit(q: Queryable, entry: { actorId: string; action: string; target: string; ip: string | null; detail: unknown }): Promise<void> {
  await q.query(`INSERT INTO ${AUDIT_LOG} ("actorId", action, target, ip, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
    entry.actorId,
    entry.action,
    entry.target,
    entry.ip,
    json(entry.detail),
  ]);
}

/** What `sessions.events` checks before it streams: the session's status and whether the caller is present, and host. */
export async function loadFollower(q: Queryable, sessionId: string, userId: string): Promise<{ status: SessionStatus; present: boolean; host: boolean } | null> {
  const { rows } = await q.query<{ status: SessionStatus; present: boolean; host: boolean }>(
    `SELECT s.status, (p.id IS NOT NULL AND p."leftAt" IS NULL) AS present, s."hostId" = p."userId" AS host
     FROM ${SESSION} s LEFT JOIN ${PARTICIPANT} p ON p."sessionId" = s.id AND p."userId" = $2
     WHERE s.id = $1`,
    [sessionId, userId],
  );
  return rows[0] ?? null;
}
