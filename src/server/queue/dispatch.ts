/**
 * graphile-worker as the dispatcher: its rows only say "run Pulse job X now (or at T)"; the Job
 * table holds everything else. One graphile task, keyed by our job id, so that scheduling a job
 * again replaces its pending dispatch, and one whose dispatch is running gets a fresh one
 * (graphile detaches the running row; see add_jobs in its migrations).
 *
 * graphile's own retries are off (max_attempts 1): Pulse counts attempts and backs off itself,
 * 2 s, 4 s, 8 s…, which graphile's fixed exp(attempts) schedule cannot do.
 */
import type { JobPriority } from "@/shared/jobs";
import type { Queryable } from "./rows.js";

export const GRAPHILE_SCHEMA = "graphile_worker";
export const TASK = "pulse.job";

/** graphile runs lower numbers first. */
const PRIORITY: Record<JobPriority, number> = { high: -10, normal: 0, low: 10 };

export interface DispatchPayload {
  jobId: string;
}

export async function dispatch(q: Queryable, job: { id: string; priority: JobPriority }, runAt?: Date): Promise<void> {
  await q.query(
    `SELECT ${GRAPHILE_SCHEMA}.add_job($1, json_build_object('jobId', $2::text), run_at => $3::timestamptz,
       max_attempts => 1, job_key => $2::text, priority => $4::int)`,
    [TASK, job.id, runAt ?? null, PRIORITY[job.priority]],
  );
}

/** Drops a job's pending dispatch (one already running is left to notice the job's new status). */
export async function undispatch(q: Queryable, jobId: string): Promise<void> {
  await q.query(`SELECT ${GRAPHILE_SCHEMA}.remove_job($1)`, [jobId]);
}

/** Queued jobs whose dispatch is missing (restored from a backup, or added by hand): the sweeper dispatches them again. */
export async function undispatchedJobs(q: Queryable, olderThanMs: number, limit: number): Promise<{ id: string; priority: JobPriority }[]> {
  const { rows } = await q.query<{ id: string; priority: JobPriority }>(
    `SELECT j.id::text AS id, j.priority::text AS priority FROM "Job" j
     WHERE j.status = 'queued' AND coalesce(j."nextAttemptAt", j."createdAt") < now() - make_interval(secs => $1::double precision / 1000)
       AND NOT EXISTS (SELECT 1 FROM ${GRAPHILE_SCHEMA}.jobs g WHERE g.key = j.id::text)
     LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}
