/**
 * Pulse's job queue, part of the core: features define job types and enqueue jobs (files makes
 * documents, later features export reports); the jobs feature shows them to their owners. Jobs
 * run on graphile-worker (dispatch) with the Job table as the truth (see rows.ts, dispatch.ts),
 * so several instances share the work and a job survives any one of them.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { runMigrations } from "graphile-worker";
import type { Bus } from "@/server/bus/bus";
import type { DatabaseAvailability } from "@/server/db/availability";
import type { EventSource } from "@/server/bus/stream";
import type { Logger } from "@/server/log";
import { isCancellable, isRetryable, JOB_STATUSES, type JobStatus, type JobView } from "@/shared/jobs";
import { dispatch, GRAPHILE_SCHEMA, undispatch } from "./dispatch.js";
import { graphileLogger } from "./graphile-log.js";
import { CANCEL_CHANNEL, insertJob, JOB_COLUMNS, jobById, jobsChangedAfter, jobsChannel, newestSeq, toJobView, updateJob, type JobRow, type NewJob, type Queryable } from "./rows.js";
import { startRunner, type Runner } from "./runner.js";
import type { JobType, QueueSettings } from "./types.js";

export type { JobContext, JobType, QueueSettings } from "./types.js";
export { PermanentJobError } from "./types.js";

export interface ListJobsInput {
  status?: JobStatus;
  type?: string;
  /** The last job id of the previous page. */
  cursor?: string | null;
  limit: number;
}

export interface JobQueue {
  /** Registers a job type's handler. Every process defines every type (services do it when built). */
  define<Payload>(type: string, definition: JobType<Payload>): void;
  /** Queues a job; pass a transaction's client to queue it with the rows that go with it (all or nothing). */
  enqueue(job: NewJob, q?: Queryable): Promise<JobView>;
  byId(jobId: string): Promise<JobRow | null>;
  list(ownerId: string, input: ListJobsInput): Promise<{ items: JobView[]; nextCursor: string | null }>;
  /** A queued job never runs; a running one is aborted. Null when it was no longer cancellable. */
  cancel(jobId: string): Promise<JobView | null>;
  /** A failed or cancelled job is queued again with its attempts reset. Null when it was not retryable. */
  retry(jobId: string): Promise<JobView | null>;
  /** An owner's job changes, as a resumable stream: the id is the change's seq. */
  source(ownerId: string): EventSource<JobView>;
  /** Jobs by status, every owner (metrics, health). */
  counts(): Promise<Record<JobStatus, number>>;
  /** Jobs due to run now that no worker has taken yet, and how long the oldest has waited. */
  backlog(): Promise<{ due: number; oldestDueS: number }>;
  /** Installs graphile's schema, then starts this process's workers and the dead-worker sweep. */
  start(): Promise<void>;
  /** Running jobs are stopped and queued again at once (another instance takes them), then the workers end. */
  stop(): Promise<void>;
}

export interface QueueDeps {
  pool: pg.Pool;
  /** Told of the queue's database failures, so that an outage is logged once. */
  availability: DatabaseAvailability;
  databaseUrl: string;
  bus: Bus;
  log: Logger;
  production: boolean;
  settings: QueueSettings;
}

export function createJobQueue(deps: QueueDeps): JobQueue {
  const { pool, bus, log } = deps;
  const types = new Map<string, JobType<unknown>>();
  let runner: Runner | undefined;

  const announce = (row: JobRow) => void bus.publish(jobsChannel(row.ownerId), row.seq).catch(() => undefined);

  /**
   * Runs `change` in a transaction, then announces the row it returns. With `settles`, the job's
   * type's onSettle hook runs in the same transaction (a job ending failed or cancelled, or
   * queued again by `retry`).
   */
  async function change(write: (client: pg.PoolClient) => Promise<JobRow | null>, settles: boolean | ((row: JobRow) => boolean)): Promise<JobRow | null> {
    const client = await pool.connect();
    let row: JobRow | null = null;
    try {
      await client.query("BEGIN");
      row = await write(client);
      if (row && (typeof settles === "function" ? settles(row) : settles)) await types.get(row.type)?.onSettle?.(client, row);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (row) announce(row);
    return row;
  }

  const queue: JobQueue = {
    define(type, definition) {
      if (types.has(type)) throw new Error(`Job type "${type}" is defined twice.`);
      types.set(type, definition as JobType<unknown>);
    },

    async enqueue(job, q) {
      if (!types.has(job.type)) throw new Error(`Unknown job type "${job.type}".`);
      const id = randomUUID();
      const run = async (client: Queryable) => {
        const row = await insertJob(client, id, job);
        await dispatch(client, row);
        return row;
      };
      let row: JobRow;
      if (q) row = await run(q);
      else {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          row = await run(client);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      }
      // Inside the caller's transaction the row is not visible yet: announcing it early is harmless
      // (readers find nothing new), and the caller's commit is followed by the first real change.
      announce(row);
      return toJobView(row);
    },

    byId: (jobId) => jobById(pool, jobId),

    async list(ownerId, { status, type, cursor, limit }) {
      const params: unknown[] = [ownerId];
      const where = [`j."ownerId" = $1`];
      if (status) where.push(`j.status = $${params.push(status)}::"JobStatus"`);
      if (type) where.push(`j.type = $${params.push(type)}`);
      if (cursor) {
        where.push(`(j."createdAt", j.id) < (SELECT c."createdAt", c.id FROM "Job" c WHERE c.id = $${params.push(cursor)}::uuid AND c."ownerId" = $1)`);
      }
      const { rows } = await pool.query<JobRow>(
        `SELECT ${JOB_COLUMNS} FROM "Job" j WHERE ${where.join(" AND ")} ORDER BY j."createdAt" DESC, j.id DESC LIMIT $${params.push(limit + 1)}`,
        params,
      );
      const more = rows.length > limit;
      const items = rows.slice(0, limit).map(toJobView);
      return { items, nextCursor: more ? items[items.length - 1]!.id : null };
    },

    async cancel(jobId) {
      const row = await change(async (client) => {
        const cancelled = await updateJob(
          client,
          jobId,
          `status = 'cancelled', "finishedAt" = now(), "runToken" = NULL, "lockedBy" = NULL, "heartbeatAt" = NULL,
           "nextAttemptAt" = NULL, message = 'Cancelled'`,
          `j.status IN ('queued', 'running')`,
        );
        if (cancelled) await undispatch(client, jobId);
        return cancelled;
      }, true);
      // The worker running it (on any instance) aborts its handler; its heartbeat would notice too.
      if (row) void bus.publish(CANCEL_CHANNEL, jobId).catch(() => undefined);
      return row && toJobView(row);
    },

    async retry(jobId) {
      const row = await change(async (client) => {
        const queued = await updateJob(
          client,
          jobId,
          `status = 'queued', attempts = 0, progress = 0, message = 'Waiting for a worker', "finishedAt" = NULL,
           "startedAt" = NULL, "nextAttemptAt" = NULL`,
          `j.status IN ('failed', 'cancelled')`,
        );
        if (queued) await dispatch(client, queued);
        return queued;
      }, true);
      return row && toJobView(row);
    },

    source(ownerId) {
      return {
        channel: jobsChannel(ownerId),
        readAfter: async (afterId, limit) => (await jobsChangedAfter(pool, ownerId, afterId, limit)).map((row) => ({ id: BigInt(row.seq), event: toJobView(row) })),
        newestId: () => newestSeq(pool, ownerId),
      };
    },

    async counts() {
      const { rows } = await pool.query<{ status: JobStatus; count: number }>(`SELECT status::text AS status, count(*)::int AS count FROM "Job" GROUP BY status`);
      const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
      for (const { status, count } of rows) counts[status] = count;
      return counts;
    },

    async backlog() {
      const { rows } = await pool.query<{ due: number; oldest: number | null }>(
        `SELECT count(*)::int AS due, extract(epoch FROM now() - min(coalesce("nextAttemptAt", "createdAt")))::float8 AS oldest
         FROM "Job" WHERE status = 'queued' AND coalesce("nextAttemptAt", "createdAt") <= now()`,
      );
      return { due: rows[0]?.due ?? 0, oldestDueS: Math.max(0, rows[0]?.oldest ?? 0) };
    },

    async start() {
      await runMigrations({ pgPool: pool, schema: GRAPHILE_SCHEMA, logger: graphileLogger(log, deps.availability) });
      runner = await startRunner({ ...deps, types, announce, change });
    },

    async stop() {
      await runner?.stop();
      runner = undefined;
    },
  };
  return queue;
}

export { isCancellable, isRetryable };
