/**
 * The Job table in plain SQL: how a row becomes a JobView, and the one way a job changes.
 *
 * Every visible change takes the owner's next `seq` from JobFeed in the same statement. The
 * JobFeed row stays locked until the statement's transaction commits, so one owner's changes
 * commit in `seq` order, and a `jobs.onUpdate` reader resuming after seq N cannot miss a change
 * that commits later with a smaller number (see bus/stream.ts for the contract).
 */
import type pg from "pg";
import type { JobPriority, JobStatus, JobView } from "@/shared/jobs";

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export interface JobRow {
  id: string;
  ownerId: string;
  type: string;
  status: JobStatus;
  priority: JobPriority;
  payload: unknown;
  progress: number;
  message: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  fileId: string | null;
  runToken: string | null;
  lockedBy: string | null;
  seq: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

export const JOB_COLUMNS = `j.id::text AS id, j."ownerId"::text AS "ownerId", j.type, j.status::text AS status,
  j.priority::text AS priority, j.payload, j.progress, j.message, j.attempts, j."maxAttempts", j."lastError",
  j."fileId"::text AS "fileId", j."runToken"::text AS "runToken", j."lockedBy", j.seq::text AS seq,
  j."createdAt", j."startedAt", j."finishedAt", j."nextAttemptAt"`;

export function toJobView(row: JobRow): JobView {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    progress: row.progress,
    message: row.message,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    lastError: row.lastError,
    fileId: row.fileId,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    nextAttemptAt: row.nextAttemptAt,
  };
}

/** The bus channel on which an owner's job changes are announced (payload: the new seq). */
export const jobsChannel = (ownerId: string) => `jobs:${ownerId}`;
/** The bus channel on which cancellations are announced to the workers (payload: the job id). */
export const CANCEL_CHANNEL = "jobs:cancel";

export interface NewJob {
  ownerId: string;
  type: string;
  payload?: unknown;
  priority?: JobPriority;
  maxAttempts?: number;
  fileId?: string | null;
  message?: string;
}

export async function insertJob(q: Queryable, id: string, job: NewJob): Promise<JobRow> {
  const { rows } = await q.query<JobRow>(
    `WITH feed AS (
       INSERT INTO "JobFeed" ("ownerId", seq) VALUES ($2, 1)
       ON CONFLICT ("ownerId") DO UPDATE SET seq = "JobFeed".seq + 1 RETURNING seq)
     INSERT INTO "Job" AS j (id, "ownerId", type, payload, priority, "maxAttempts", "fileId", message, seq)
     SELECT $1, $2, $3, $4::jsonb, $5::"JobPriority", $6, $7, $8, feed.seq FROM feed
     RETURNING ${JOB_COLUMNS}`,
    [id, job.ownerId, job.type, JSON.stringify(job.payload ?? {}), job.priority ?? "normal", job.maxAttempts ?? 3, job.fileId ?? null, job.message ?? "Waiting for a worker"],
  );
  return rows[0]!;
}

/**
 * Changes one job when `where` holds, as one visible update: `set` and `where` are SQL over the
 * row `j` (parameters from $2 on; $1 is the job id). Returns the new row, or null when the job
 * is missing or `where` did not hold (someone else changed it first).
 */
export async function updateJob(q: Queryable, jobId: string, set: string, where: string, params: unknown[] = []): Promise<JobRow | null> {
  const { rows } = await q.query<JobRow>(
    `WITH target AS (SELECT "ownerId" FROM "Job" j WHERE j.id = $1 AND (${where})),
     feed AS (UPDATE "JobFeed" f SET seq = f.seq + 1 FROM target WHERE f."ownerId" = target."ownerId" RETURNING f.seq)
     UPDATE "Job" j SET ${set}, seq = feed.seq FROM feed WHERE j.id = $1 AND (${where})
     RETURNING ${JOB_COLUMNS}`,
    [jobId, ...params],
  );
  return rows[0] ?? null;
}

export async function jobById(q: Queryable, jobId: string): Promise<JobRow | null> {
  const { rows } = await q.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM "Job" j WHERE j.id = $1`, [jobId]);
  return rows[0] ?? null;
}

/** An owner's jobs changed after `afterSeq`, each as it is now, in seq order: the onUpdate stream's reads. */
export async function jobsChangedAfter(q: Queryable, ownerId: string, afterSeq: bigint, limit: number): Promise<JobRow[]> {
  const { rows } = await q.query<JobRow>(
    `SELECT ${JOB_COLUMNS} FROM "Job" j WHERE j."ownerId" = $1 AND j.seq > $2 ORDER BY j.seq LIMIT $3`,
    [ownerId, afterSeq.toString(), limit],
  );
  return rows;
}

export async function newestSeq(q: Queryable, ownerId: string): Promise<bigint> {
  const { rows } = await q.query<{ seq: string }>(`SELECT seq::text AS seq FROM "JobFeed" WHERE "ownerId" = $1`, [ownerId]);
  return BigInt(rows[0]?.seq ?? 0);
}
