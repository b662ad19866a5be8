import type pg from "pg";
import type { JobView } from "@/shared/jobs";
import type { JobRow } from "./rows.js";

/** What a job's handler is given for one attempt. */
export interface JobContext<Payload> {
  job: JobView;
  ownerId: string;
  payload: Payload;
  /**
   * Aborted when the job is cancelled, when this worker loses its claim (its heartbeat went
   * stale and another worker took the job over), or when the process shuts down. Honour it
   * promptly: stop work, undo what the attempt wrote, and reject.
   */
  signal: AbortSignal;
  /** Reports progress (0–100) and what is happening now. Writes are throttled; the last one is kept. */
  progress(percent: number, message?: string): void;
  /**
   * Ends the job `succeeded` and runs `write` in the same transaction (e.g. the file row
   * becomes ready with the job). Resolves false, having written nothing, when this attempt no
   * longer owns the job: then undo what it did. A handler that returns without calling it
   * completes with no extra write.
   */
  complete(write?: (client: pg.PoolClient) => Promise<void>, message?: string): Promise<boolean>;
}

export interface JobType<Payload> {
  run(context: JobContext<Payload>): Promise<void>;
  /**
   * In the transaction that ends the job failed or cancelled, or queues it again by `retry`:
   * keep what depends on the job in step with it (the file-to-be's status).
   */
  onSettle?(client: pg.PoolClient, job: JobRow): Promise<void>;
}

/** Thrown by a handler for a failure that retrying cannot fix: the job fails at once, with this message. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

export interface QueueSettings {
  /** Jobs this process runs at once; 0 runs none here (another process's workers do). */
  concurrency: number;
  /** Back-off after the first failed attempt; doubled after each further one (2 s, 4 s, 8 s…). */
  retryBaseMs: number;
  /** How often a running job's worker proves it is alive. */
  heartbeatMs: number;
  /** A running job whose heartbeat is older than this was left by a dead worker: it runs again. */
  staleAfterMs: number;
  /** How often every instance looks for such jobs. */
  sweepEveryMs: number;
  /** graphile's fallback poll, for when a LISTEN notification was missed. */
  pollIntervalMs: number;
}
