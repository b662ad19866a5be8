/**
 * This process's workers: graphile-worker hands over dispatches; each becomes one attempt of a
 * Pulse job — claimed with a fresh token, run with an AbortSignal, kept alive by a heartbeat,
 * and ended (succeeded, retried after a back-off, failed, or queued again on shutdown) by writes
 * that only that token can make. The sweep, on every instance, gives the jobs of dead workers
 * to the living ones.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { run as runGraphile, type JobHelpers, type Runner as GraphileRunner } from "graphile-worker";
import { AppError } from "@/server/errors";
import { dispatch, GRAPHILE_SCHEMA, TASK, undispatchedJobs, type DispatchPayload } from "./dispatch.js";
import { graphileLogger } from "./graphile-log.js";
import type { QueueDeps } from "./queue.js";
import { CANCEL_CHANNEL, toJobView, updateJob, type JobRow } from "./rows.js";
import { PermanentJobError, type JobContext, type JobType } from "./types.js";

export interface Runner {
  stop(): Promise<void>;
}

interface RunnerDeps extends QueueDeps {
  types: Map<string, JobType<unknown>>;
  announce(row: JobRow): void;
  change(write: (client: pg.PoolClient) => Promise<JobRow | null>, settles: boolean | ((row: JobRow) => boolean)): Promise<JobRow | null>;
}

/** Why an attempt's signal was aborted. */
type StopReason = "cancelled" | "lost" | "shutdown";

interface Attempt {
  row: JobRow;
  token: string;
  controller: AbortController;
  completed: boolean;
  pendingProgress?: { percent: number; message: string };
  progressTimer?: NodeJS.Timeout;
  lastProgressAt: number;
}

const PROGRESS_EVERY_MS = 250;
/** On shutdown, how long running handlers get to honour their abort before the workers are stopped anyway. */
const SHUTDOWN_WAIT_MS = 5_000;
/** Sweeps between two looks for queued jobs that lost their dispatch. */
const UNDISPATCHED_EVERY_SWEEPS = 6;

const OWNED = `j.status = 'running' AND j."runToken" = $2::uuid`;

export async function startRunner(deps: RunnerDeps): Promise<Runner> {
  const { pool, bus, log, settings, types, announce, change } = deps;
  const running = new Map<string, Attempt>();
  const finished = new Set<Promise<void>>();
  let stopping = false;

  /** What the owner reads about a failure: our own messages, never a stack or an internal detail in production. */
  function publicMessage(error: unknown): string {
    if (error instanceof AppError || error instanceof PermanentJobError) return error.message;
    if (!deps.production && error instanceof Error) return error.message;
    return "The job failed unexpectedly.";
  }

  async function writeProgress(attempt: Attempt): Promise<void> {
    attempt.progressTimer = undefined;
    const pending = attempt.pendingProgress;
    if (!pending || attempt.completed) return;
    attempt.pendingProgress = undefined;
    attempt.lastProgressAt = Date.now();
    const row = await updateJob(pool, attempt.row.id, `progress = $3, message = $4`, OWNED, [attempt.token, pending.percent, pending.message]).catch(() => null);
    if (row) announce(row);
  }

  function stopProgress(attempt: Attempt): void {
    clearTimeout(attempt.progressTimer);
    attempt.progressTimer = undefined;
    attempt.pendingProgress = undefined;
  }

  async function complete(attempt: Attempt, write?: (client: pg.PoolClient) => Promise<void>, message = "Done"): Promise<boolean> {
    if (attempt.completed) return true;
    stopProgress(attempt);
    const client = await pool.connect();
    let row: JobRow | null;
    try {
      await client.query("BEGIN");
      row = await updateJob(
        client,
        attempt.row.id,
        `status = 'succeeded', progress = 100, message = $3, "finishedAt" = now(), "runToken" = NULL, "lockedBy" = NULL, "heartbeatAt" = NULL`,
        OWNED,
        [attempt.token, message],
      );
      if (row) await write?.(client);
      await client.query(row ? "COMMIT" : "ROLLBACK");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    if (!row) return false;
    attempt.completed = true;
    announce(row);
    return true;
  }

  /** The handler rejected: interrupted (nothing to write, or queued again on shutdown), retried after a back-off, or failed. */
  async function ended(attempt: Attempt, error: unknown): Promise<void> {
    stopProgress(attempt);
    const { row, token, controller } = attempt;
    const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : undefined;
    if (reason === "cancelled" || reason === "lost") return;
    if (reason === "shutdown") {
      // Not the job's fault: the attempt is given back.
      await change(async (client) => {
        const queued = await updateJob(
          client,
          row.id,
          `status = 'queued', attempts = greatest(j.attempts - 1, 0), message = 'Interrupted by a server restart; waiting for a worker',
           "runToken" = NULL, "lockedBy" = NULL, "heartbeatAt" = NULL`,
          OWNED,
          [token],
        );
        if (queued) await dispatch(client, queued);
        return queued;
      }, false);
      return;
    }
    const message = publicMessage(error);
    const permanent = error instanceof PermanentJobError || row.attempts >= row.maxAttempts;
    log.warn({ err: error, jobId: row.id, type: row.type, attempt: row.attempts, permanent }, "a job attempt failed");
    if (permanent) {
      await change((client) =>
        updateJob(
          client,
          row.id,
          `status = 'failed', "lastError" = $3, message = $4, "finishedAt" = now(), "runToken" = NULL, "lockedBy" = NULL, "heartbeatAt" = NULL`,
          OWNED,
          [token, message, row.attempts > 1 ? `Failed after ${row.attempts} attempts` : "Failed"],
        ),
      true);
      return;
    }
    const delayMs = settings.retryBaseMs * 2 ** (row.attempts - 1);
    const seconds = Math.round(delayMs / 100) / 10;
    await change(async (client) => {
      const queued = await updateJob(
        client,
        row.id,
        `status = 'queued', "lastError" = $3, message = $4, "nextAttemptAt" = now() + make_interval(secs => $5::double precision / 1000),
         "runToken" = NULL, "lockedBy" = NULL, "heartbeatAt" = NULL`,
        OWNED,
        [token, message, `Attempt ${row.attempts} failed; trying again in ${seconds} s`, delayMs],
      );
      if (queued) await dispatch(client, queued, queued.nextAttemptAt ?? undefined);
      return queued;
    }, false);
  }

  async function attempt(payload: unknown, helpers: JobHelpers): Promise<void> {
    const { jobId } = payload as DispatchPayload;
    if (stopping) throw new Error("This worker is shutting down."); // graphile hands the dispatch back
    const token = randomUUID();
    const claimed = await updateJob(
      pool,
      jobId,
      `status = 'running', attempts = j.attempts + 1, "runToken" = $2::uuid, "lockedBy" = $3, "heartbeatAt" = now(),
       "startedAt" = coalesce(j."startedAt", now()), "nextAttemptAt" = NULL, message = 'Started'`,
      `j.status = 'queued'`,
      [token, helpers.job.locked_by],
    );
    if (!claimed) return; // cancelled, or already taken: nothing to do
    announce(claimed);
    const attempt: Attempt = { row: claimed, token, controller: new AbortController(), completed: false, lastProgressAt: 0 };
    const type = types.get(claimed.type);
    if (!type) {
      await ended(attempt, new PermanentJobError(`This server does not know how to run "${claimed.type}" jobs.`));
      return;
    }
    running.set(jobId, attempt);
    const context: JobContext<unknown> = {
      job: toJobView(claimed),
      ownerId: claimed.ownerId,
      payload: claimed.payload,
      signal: attempt.controller.signal,
      progress(percent, message = attempt.pendingProgress?.message ?? attempt.row.message) {
        if (attempt.completed) return;
        attempt.pendingProgress = { percent: Math.max(0, Math.min(100, Math.round(percent))), message: message.slice(0, 500) };
        attempt.progressTimer ??= setTimeout(() => void writeProgress(attempt), Math.max(0, attempt.lastProgressAt + PROGRESS_EVERY_MS - Date.now()));
      },
      complete: (write, message) => complete(attempt, write, message),
    };
    const done = (async () => {
      try {
        await type.run(context);
        if (!attempt.completed) await complete(attempt);
      } catch (error) {
        await ended(attempt, error).catch((err: unknown) => log.error({ err, jobId }, "could not record a job attempt's end"));
      } finally {
        stopProgress(attempt);
        running.delete(jobId);
      }
    })();
    finished.add(done);
    await done.finally(() => finished.delete(done));
  }

  /** Proves this process's attempts alive; an attempt whose row no longer carries its token was cancelled or taken over. */
  async function heartbeat(): Promise<void> {
    const attempts = [...running.values()];
    if (!attempts.length) return;
    const { rows } = await pool.query<{ id: string }>(
      `UPDATE "Job" j SET "heartbeatAt" = now() FROM unnest($1::uuid[], $2::uuid[]) AS r(id, token)
       WHERE j.id = r.id AND j."runToken" = r.token AND j.status = 'running' RETURNING j.id::text AS id`,
      [attempts.map((a) => a.row.id), attempts.map((a) => a.token)],
    );
    const alive = new Set(rows.map((row) => row.id));
    for (const a of attempts) if (!alive.has(a.row.id) && running.get(a.row.id) === a) a.controller.abort("lost" satisfies StopReason);
  }

  let sweeps = 0;
  /** Jobs left running by a dead worker (no heartbeat for `staleAfterMs`) run again, or fail if that was their last attempt. */
  async function sweep(): Promise<void> {
    const { rows } = await pool.query<{ id: string; lockedBy: string | null }>(
      `SELECT j.id::text AS id, j."lockedBy" FROM "Job" j
       WHERE j.status = 'running' AND j."heartbeatAt" < now() - make_interval(secs => $1::double precision / 1000) LIMIT 50`,
      [settings.staleAfterMs],
    );
    const stale = `j.status = 'running' AND j."heartbeatAt" < now() - make_interval(secs => $2::double precision / 1000)`;
    for (const { id, lockedBy } of rows) {
      await change(async (client) => {
        const changed = await updateJob(
          client,
          id,
          `status = (CASE WHEN j.attempts >= j."maxAttempts" THEN 'failed' ELSE 'queued' END)::"JobStatus",
           "finishedAt" = CASE WHEN j.attempts >= j."maxAttempts" THEN now() END,
           "lastError" = 'The worker running this job stopped responding.',
           message = CASE WHEN j.attempts >= j."maxAttempts" THEN 'Failed: its worker stopped responding' ELSE 'Its worker stopped responding; waiting for another' END,
           "runToken" = NULL, "lockedBy" = NULL, "heartbeatAt" = NULL`,
          stale,
          [settings.staleAfterMs],
        );
        if (changed?.status === "queued") {
          // Free the dead worker's graphile lock, so that the dispatch below replaces that row in place.
          if (lockedBy) await client.query(`SELECT ${GRAPHILE_SCHEMA}.force_unlock_workers($1::text[])`, [[lockedBy]]);
          await dispatch(client, changed);
        }
        return changed;
        // After its last attempt the job fails, and what depends on it (its file) with it.
      }, (changed) => changed.status === "failed");
      log.warn({ jobId: id, worker: lockedBy }, "a job's worker stopped responding; the job was given to another");
    }
    if (++sweeps % UNDISPATCHED_EVERY_SWEEPS === 0) {
      for (const job of await undispatchedJobs(pool, settings.staleAfterMs * 2, 100)) await dispatch(pool, job);
    }
  }

  const loop = (everyMs: number, task: () => Promise<void>, what: string) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      task()
        .catch((err: unknown) => log.debug({ err }, `job queue ${what} failed; trying again`))
        .finally(() => (busy = false));
    }, everyMs);
    timer.unref();
    return timer;
  };

  const unsubscribe = await bus.subscribe(CANCEL_CHANNEL, (jobId) => {
    const current = running.get(jobId);
    if (!current) return;
    // Only if the attempt running here is the one that was cancelled (not a newer attempt after a retry).
    void pool
      .query<{ runToken: string | null }>(`SELECT "runToken"::text AS "runToken" FROM "Job" WHERE id = $1`, [jobId])
      .then(({ rows }) => {
        if (rows[0]?.runToken !== current.token && running.get(jobId) === current) current.controller.abort("cancelled" satisfies StopReason);
      })
      .catch(() => undefined);
  });
  const timers = [loop(settings.heartbeatMs, heartbeat, "heartbeat"), loop(settings.sweepEveryMs, sweep, "sweep")];

  let graphile: GraphileRunner | undefined;
  let workerPool: pg.Pool | undefined;
  if (settings.concurrency > 0) {
    workerPool = new pg.Pool({ connectionString: deps.databaseUrl, max: settings.concurrency + 2, application_name: "pulse-jobs" });
    // Connection failures surface in the queries that needed them (graphile reports those: see graphile-log.ts).
    workerPool.on("error", (err) => log.debug({ err }, "job worker database connection lost"));
    workerPool.on("connect", (client) => client.on("error", (err) => log.debug({ err }, "job worker database connection failed")));
    graphile = await runGraphile({
      pgPool: workerPool,
      schema: GRAPHILE_SCHEMA,
      concurrency: settings.concurrency,
      noHandleSignals: true,
      pollInterval: settings.pollIntervalMs,
      logger: graphileLogger(log, deps.availability),
      taskList: { [TASK]: attempt },
    });
  }

  return {
    async stop() {
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      unsubscribe();
      for (const a of running.values()) a.controller.abort("shutdown" satisfies StopReason);
      await Promise.race([Promise.allSettled([...finished]), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
      await graphile?.stop().catch((err: unknown) => log.warn({ err }, "job workers did not stop cleanly"));
      await workerPool?.end().catch(() => undefined);
    },
  };
}
