/**
 * What Measurements writes to PostgreSQL, one statement per kind of row, each a batch (arrays
 * unnested server-side): a flush is a handful of round trips however much traffic there was.
 */
import type pg from "pg";
import { decodeHistogram, encodeHistogram, newHistogram, type Histogram } from "./histogram.js";

/** PostgreSQL text cannot hold NUL: one such message would fail the whole batch, forever. */
export const clean = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text).replaceAll("\0", "\uFFFD");

export interface MinuteRow {
  minute: Date;
  route: string;
  count: number;
  errors: number;
  clientErrors: number;
  sumMs: number;
  maxMs: number;
  histogram: Buffer;
}

/** The whole minute's figures replace what was stored: writing a minute again is harmless. */
export async function upsertMinutes(pool: pg.Pool, instance: string, rows: MinuteRow[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO "MetricMinute" (instance, minute, route, count, errors, "clientErrors", "sumMs", "maxMs", histogram)
     SELECT $1, * FROM unnest($2::timestamptz[], $3::text[], $4::int[], $5::int[], $6::int[], $7::float8[], $8::float8[], $9::bytea[])
     ON CONFLICT (instance, minute, route) DO UPDATE SET
       count = excluded.count, errors = excluded.errors, "clientErrors" = excluded."clientErrors",
       "sumMs" = excluded."sumMs", "maxMs" = excluded."maxMs", histogram = excluded.histogram`,
    [
      instance,
      rows.map((r) => r.minute),
      rows.map((r) => r.route),
      rows.map((r) => r.count),
      rows.map((r) => r.errors),
      rows.map((r) => r.clientErrors),
      rows.map((r) => r.sumMs),
      rows.map((r) => r.maxMs),
      rows.map((r) => r.histogram),
    ],
  );
}

export interface LogRow {
  at: Date;
  requestId: string;
  transport: string;
  method: string;
  path: string;
  route: string;
  status: number;
  code: string | null;
  durationMs: number;
  userId: string | null;
}

export async function insertLog(pool: pg.Pool, instance: string, rows: LogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO "RequestLog" (at, "requestId", instance, transport, method, path, route, status, code, "durationMs", "userId")
     SELECT a, r, $1, t, m, p, ro, s, c, d, u
     FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::float8[], $11::uuid[])
       AS x(a, r, t, m, p, ro, s, c, d, u)`,
    [
      instance,
      rows.map((r) => r.at),
      rows.map((r) => r.requestId),
      rows.map((r) => r.transport),
      rows.map((r) => r.method),
      rows.map((r) => r.path),
      rows.map((r) => r.route),
      rows.map((r) => r.status),
      rows.map((r) => r.code),
      rows.map((r) => r.durationMs),
      rows.map((r) => r.userId),
    ],
  );
}

export interface ErrorRow {
  fingerprint: string;
  kind: "server" | "client";
  code: string;
  route: string;
  message: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  sampleStack: string | null;
  lastRequestId: string | null;
}

/** Counts add up; the times widen; the message, request id and stack are the latest ones. */
export async function upsertErrors(pool: pg.Pool, rows: ErrorRow[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO "ErrorGroup" AS g (fingerprint, kind, code, route, message, count, "firstSeen", "lastSeen", "sampleStack", "lastRequestId")
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $8::timestamptz[], $9::text[], $10::text[])
     ON CONFLICT (fingerprint) DO UPDATE SET
       count = g.count + excluded.count,
       "firstSeen" = LEAST(g."firstSeen", excluded."firstSeen"),
       "lastSeen" = GREATEST(g."lastSeen", excluded."lastSeen"),
       message = CASE WHEN excluded."lastSeen" >= g."lastSeen" THEN excluded.message ELSE g.message END,
       "lastRequestId" = CASE WHEN excluded."lastSeen" >= g."lastSeen" THEN excluded."lastRequestId" ELSE g."lastRequestId" END,
       "sampleStack" = COALESCE(excluded."sampleStack", g."sampleStack")`,
    [
      rows.map((r) => r.fingerprint),
      rows.map((r) => r.kind),
      rows.map((r) => r.code),
      rows.map((r) => r.route),
      rows.map((r) => r.message),
      rows.map((r) => r.count),
      rows.map((r) => r.firstSeen),
      rows.map((r) => r.lastSeen),
      rows.map((r) => r.sampleStack),
      rows.map((r) => r.lastRequestId),
    ],
  );
}

export interface SystemRow {
  minute: Date;
  rssBytes: number;
  heapUsedBytes: number;
  cpuPercent: number;
  eventLoopP99Ms: number;
  wsConnections: number;
  queueDepth: number;
}

export async function upsertSystem(pool: pg.Pool, instance: string, rows: SystemRow[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO "SystemMinute" (instance, minute, "rssBytes", "heapUsedBytes", "cpuPercent", "eventLoopP99Ms", "wsConnections", "queueDepth")
     SELECT $1, * FROM unnest($2::timestamptz[], $3::int8[], $4::int8[], $5::float8[], $6::float8[], $7::int[], $8::int[])
     ON CONFLICT (instance, minute) DO UPDATE SET
       "rssBytes" = excluded."rssBytes", "heapUsedBytes" = excluded."heapUsedBytes", "cpuPercent" = excluded."cpuPercent",
       "eventLoopP99Ms" = GREATEST("SystemMinute"."eventLoopP99Ms", excluded."eventLoopP99Ms"),
       "wsConnections" = excluded."wsConnections", "queueDepth" = excluded."queueDepth"`,
    [
      instance,
      rows.map((r) => r.minute),
      rows.map((r) => r.rssBytes),
      rows.map((r) => r.heapUsedBytes),
      rows.map((r) => r.cpuPercent),
      rows.map((r) => r.eventLoopP99Ms),
      rows.map((r) => r.wsConnections),
      rows.map((r) => r.queueDepth),
    ],
  );
}

/** The advisory lock of the hourly rollup and the retention sweep: one instance does them at a time. */
const MAINTENANCE_LOCK = 7265738;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Hours this far back are rolled up if they were missed (every instance down at the turn of the hour). */
const CATCH_UP_HOURS = 48;

export const RETENTION = {
  minuteMs: 7 * DAY_MS,
  hourMs: 90 * DAY_MS,
  requestLogMs: DAY_MS,
  errorGroupMs: 30 * DAY_MS,
  alertMs: 30 * DAY_MS,
};

/** Runs `work` in a transaction if this instance takes the maintenance lock; false when another holds it. */
async function withMaintenanceLock(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS ok", [MAINTENANCE_LOCK]);
    if (!rows[0]?.ok) {
      await client.query("ROLLBACK");
      return false;
    }
    await work(client);
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface StoredMinute {
  route: string;
  count: number;
  errors: number;
  clientErrors: number;
  sumMs: number;
  maxMs: number;
  histogram: Buffer;
}

/**
 * Completed hours (those that ended at least `settleMs` before `now`, so every instance has
 * flushed them) that have minutes but no hour rows yet, merged across instances into MetricHour.
 * Returns the hours it rolled up, or null when another instance holds the lock.
 */
export async function rollUpHours(pool: pg.Pool, now: number, settleMs: number): Promise<Date[] | null> {
  const lastHour = Math.floor((now - settleMs) / HOUR_MS) * HOUR_MS - HOUR_MS;
  const candidates: Date[] = [];
  for (let hour = lastHour - (CATCH_UP_HOURS - 1) * HOUR_MS; hour <= lastHour; hour += HOUR_MS) candidates.push(new Date(hour));
  const done: Date[] = [];
  const locked = await withMaintenanceLock(pool, async (client) => {
    const { rows: hours } = await client.query<{ hour: Date }>(
      `SELECT h AS hour FROM unnest($1::timestamptz[]) AS h
       WHERE EXISTS (SELECT 1 FROM "MetricMinute" m WHERE m.minute >= h AND m.minute < h + interval '1 hour')
         AND NOT EXISTS (SELECT 1 FROM "MetricHour" r WHERE r.hour = h)`,
      [candidates],
    );
    for (const { hour } of hours) {
      const { rows } = await client.query<StoredMinute>(
        `SELECT route, count, errors, "clientErrors", "sumMs", "maxMs", histogram FROM "MetricMinute"
         WHERE minute >= $1 AND minute < $1::timestamptz + interval '1 hour'`,
        [hour],
      );
      const merged = new Map<string, { count: number; errors: number; clientErrors: number; sumMs: number; maxMs: number; histogram: Histogram }>();
      for (const row of rows) {
        let route = merged.get(row.route);
        if (!route) merged.set(row.route, (route = { count: 0, errors: 0, clientErrors: 0, sumMs: 0, maxMs: 0, histogram: newHistogram() }));
        route.count += row.count;
        route.errors += row.errors;
        route.clientErrors += row.clientErrors;
        route.sumMs += row.sumMs;
        route.maxMs = Math.max(route.maxMs, row.maxMs);
        route.histogram.add(decodeHistogram(row.histogram));
      }
      const routes = [...merged];
      await client.query(
        `INSERT INTO "MetricHour" (hour, route, count, errors, "clientErrors", "sumMs", "maxMs", histogram)
         SELECT $1, * FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::float8[], $7::float8[], $8::bytea[])
         ON CONFLICT (hour, route) DO UPDATE SET
           count = excluded.count, errors = excluded.errors, "clientErrors" = excluded."clientErrors",
           "sumMs" = excluded."sumMs", "maxMs" = excluded."maxMs", histogram = excluded.histogram`,
        [
          hour,
          routes.map(([route]) => route),
          routes.map(([, r]) => r.count),
          routes.map(([, r]) => r.errors),
          routes.map(([, r]) => r.clientErrors),
          routes.map(([, r]) => r.sumMs),
          routes.map(([, r]) => r.maxMs),
          routes.map(([, r]) => encodeHistogram(r.histogram)),
        ],
      );
      done.push(hour);
    }
  });
  return locked ? done : null;
}

/** Deletes what is past its retention (see RETENTION). Returns false when another instance holds the lock. */
export async function sweepRetention(pool: pg.Pool, now: number): Promise<boolean> {
  return withMaintenanceLock(pool, async (client) => {
    const before = (ms: number) => new Date(now - ms);
    await client.query(`DELETE FROM "MetricMinute" WHERE minute < $1`, [before(RETENTION.minuteMs)]);
    await client.query(`DELETE FROM "SystemMinute" WHERE minute < $1`, [before(RETENTION.minuteMs)]);
    await client.query(`DELETE FROM "MetricHour" WHERE hour < $1`, [before(RETENTION.hourMs)]);
    await client.query(`DELETE FROM "RequestLog" WHERE at < $1`, [before(RETENTION.requestLogMs)]);
    await client.query(`DELETE FROM "ErrorGroup" WHERE "lastSeen" < $1`, [before(RETENTION.errorGroupMs)]);
    await client.query(`DELETE FROM "Alert" WHERE COALESCE("clearedAt", "raisedAt") < $1`, [before(RETENTION.alertMs)]);
  });
}
