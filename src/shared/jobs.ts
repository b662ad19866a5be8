/** What a job is, as the API returns it and the Jobs and Files pages show it. */
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const JOB_PRIORITIES = ["high", "normal", "low"] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

/** A job that will change no more unless someone retries it. */
export const isFinished = (status: JobStatus) => status === "succeeded" || status === "failed" || status === "cancelled";
/** Cancel applies to these… */
export const isCancellable = (status: JobStatus) => status === "queued" || status === "running";
/** …and retry to these. */
export const isRetryable = (status: JobStatus) => status === "failed" || status === "cancelled";

export interface JobView {
  id: string;
  type: string;
  status: JobStatus;
  /** 0–100. */
  progress: number;
  /** What the job is doing, or why it stopped, in words. */
  message: string;
  priority: JobPriority;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  /** The file it makes, when it makes one. */
  fileId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When a queued job's next attempt is due (after a failure's back-off). */
  nextAttemptAt: Date | null;
}
