/** The load-test tables in plain SQL: runs as the API shows them, and a run's progress stream. */
import type pg from "pg";
import type { EventSource } from "@/server/bus/stream";
import type { LoadTestConfig, LoadTestProgressEvent, LoadTestResult, LoadTestRunSummary, LoadTestRunView, LoadTestScenario, LoadTestStatus } from "@/shared/load-tests";

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** The bus channel on which a run's new progress event ids are announced. */
export const progressChannel = (runId: string) => `loadtest:${runId}`;
/** Stop requests, for whichever instance runs the load generator (payload: the run id). */
export const STOP_CHANNEL = "loadtest:stop";
/** A run started or ended somewhere: instances re-read which secret is live. */
export const CHANGED_CHANNEL = "loadtest:changed";

/** A running run whose instance has not beaten its heart for this long is failed by the next start or stop. */
export const STALE_AFTER_S = 10;

interface RunRow {
  id: string;
  scenario: LoadTestScenario;
  status: LoadTestStatus;
  config: LoadTestConfig;
  startedById: string | null;
  startedByName: string | null;
  startedAt: Date;
  endedAt: Date | null;
  message: string | null;
  result: LoadTestResult | null;
  instanceId: string;
  stale: boolean;
}

const COLUMNS = (summary: boolean) => `r.id::text AS id, r.scenario, r.status::text AS status, r.config, r."startedById"::text AS "startedById",
  u.name AS "startedByName", r."startedAt", r."endedAt", r.message, r."instanceId",
  r."heartbeatAt" < now() - make_interval(secs => ${STALE_AFTER_S}) AS stale,
  ${summary ? `r.result - 'series' - 'histogram'` : "r.result"} AS result`;

function toView<R extends LoadTestRunView | LoadTestRunSummary>(row: RunRow): R {
  return {
    id: row.id,
    scenario: row.scenario,
    status: row.status,
    config: row.config,
    startedBy: row.startedById ? { id: row.startedById, name: row.startedByName ?? "" } : null,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    message: row.message,
    result: reviveResult(row.result),
  } as R;
}

export async function runById(q: Queryable, runId: string): Promise<(LoadTestRunView & { instanceId: string; stale: boolean }) | null> {
  const { rows } = await q.query<RunRow>(`SELECT ${COLUMNS(false)} FROM "LoadTestRun" r LEFT JOIN "User" u ON u.id = r."startedById" WHERE r.id = $1`, [runId]);
  const row = rows[0];
  return row ? { ...toView<LoadTestRunView>(row), instanceId: row.instanceId, stale: row.stale } : null;
}

export async function runningRun(q: Queryable): Promise<(LoadTestRunSummary & { stale: boolean }) | null> {
  const { rows } = await q.query<RunRow>(`SELECT ${COLUMNS(true)} FROM "LoadTestRun" r LEFT JOIN "User" u ON u.id = r."startedById" WHERE r.status = 'running' ORDER BY r."startedAt" DESC LIMIT 1`);
  const row = rows[0];
  return row ? { ...toView<LoadTestRunSummary>(row), stale: row.stale } : null;
}

export async function listRuns(q: Queryable, filter: { scenario?: string; status?: string; cursor?: string; limit: number }) {
  const { rows } = await q.query<RunRow>(
    `SELECT ${COLUMNS(true)} FROM "LoadTestRun" r LEFT JOIN "User" u ON u.id = r."startedById"
     WHERE ($1::text IS NULL OR r.scenario = $1) AND ($2::text IS NULL OR r.status::text = $2)
       AND ($3::uuid IS NULL OR (r."startedAt", r.id) < (SELECT "startedAt", id FROM "LoadTestRun" WHERE id = $3))
     ORDER BY r."startedAt" DESC, r.id DESC LIMIT $4`,
    [filter.scenario ?? null, filter.status ?? null, filter.cursor ?? null, filter.limit + 1],
  );
  const items = rows.slice(0, filter.limit).map((row) => toView<LoadTestRunSummary>(row));
  return { items, nextCursor: rows.length > filter.limit ? (items.at(-1)?.id ?? null) : null };
}

/** The last completed run of a scenario before this one: what a new result is compared with (a stopped run is partial). */
export async function previousRun(q: Queryable, scenario: LoadTestScenario, beforeRunId: string) {
  const { rows } = await q.query<{ id: string; startedAt: Date; result: LoadTestResult }>(
    `SELECT id::text AS id, "startedAt", result - 'series' - 'histogram' AS result FROM "LoadTestRun"
     WHERE scenario = $1 AND id <> $2 AND status = 'completed' AND result IS NOT NULL
       AND "startedAt" <= (SELECT "startedAt" FROM "LoadTestRun" WHERE id = $2)
     ORDER BY "startedAt" DESC LIMIT 1`,
    [scenario, beforeRunId],
  );
  return rows[0] ?? null;
}

/** Appends to a run's progress stream; returns the event's id (to announce after the commit). */
export async function appendProgress(q: Queryable, runId: string, event: LoadTestProgressEvent): Promise<bigint> {
  const { rows } = await q.query<{ id: string }>(`INSERT INTO "LoadTestEvent" ("runId", data) VALUES ($1, $2) RETURNING id::text AS id`, [runId, JSON.stringify(event)]);
  return BigInt(rows[0]!.id);
}

/** Dates in a stored event come back as strings: the snapshot's `at` is made a Date again. */
function revive(data: LoadTestProgressEvent): LoadTestProgressEvent {
  if (data.type === "snapshot") return { ...data, at: new Date(data.at) };
  if (data.result) return { ...data, result: reviveResult(data.result) };
  return data;
}

export function progressSource(pool: pg.Pool, runId: string): EventSource<LoadTestProgressEvent> {
  return {
    channel: progressChannel(runId),
    async readAfter(afterId, limit) {
      const { rows } = await pool.query<{ id: string; data: LoadTestProgressEvent }>(
        `SELECT id::text AS id, data FROM "LoadTestEvent" WHERE "runId" = $1 AND id > $2 ORDER BY "LoadTestEvent".id LIMIT $3`,
        [runId, afterId.toString(), limit],
      );
      return rows.map((row) => ({ id: BigInt(row.id), event: revive(row.data) }));
    },
    async newestId() {
      const { rows } = await pool.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM "LoadTestEvent" WHERE "runId" = $1`, [runId]);
      return BigInt(rows[0]?.id ?? 0);
    },
  };
}

/** Ends a running run once (later calls find it ended and change nothing); false when it had ended already. */
export async function endRun(q: Queryable, runId: string, status: Exclude<LoadTestStatus, "running">, result: LoadTestResult | null, message: string | null): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE "LoadTestRun" SET status = $2::"LoadTestStatus", result = $3, message = $4, "endedAt" = now(), "secretHash" = NULL WHERE id = $1 AND status = 'running'`,
    [runId, status, result === null ? null : JSON.stringify(result), message],
  );
  return rowCount === 1;
}

/** Stored results carry Dates as strings: the ones the API types as Dates are made Dates again (a summary has no series). */
function reviveResult<R extends Partial<LoadTestResult>>(result: R | null): R | null {
  if (!result) return null;
  return {
    ...result,
    ...(result.series ? { series: result.series.map((s) => ({ ...s, at: new Date(s.at) })) } : {}),
    ...(result.comparison ? { comparison: { ...result.comparison, previousStartedAt: new Date(result.comparison.previousStartedAt) } } : {}),
  };
}
