/**
 * Jobs as their owners see them: list, inspect, cancel, retry, follow live. The queue itself
 * (running, retrying, recovering jobs) is the core's (src/server/queue); this is who may see and
 * do what. A job of another user does not exist, as far as the caller can tell (NOT_FOUND).
 */
import type { App } from "@/server/app";
import { eventStream, type EventStream } from "@/server/bus/live";
import { AppError, notFound } from "@/server/errors";
import type { Caller } from "@/server/features/auth/service";
import { grade, type Check } from "@/server/metrics/checks";
import type { JobRow } from "@/server/queue/rows";
import type { UsageScope } from "@/server/feature";
import type { UsageSection } from "@/shared/analytics";
import { isCancellable, isRetryable, JOB_STATUSES, type JobStatus, type JobView } from "@/shared/jobs";
import type { ListInput, OnUpdateInput } from "./schemas.js";

/** How long the oldest due job may wait for a worker: [degraded after, unhealthy after] seconds. */
export const QUEUE_WAIT_S = [60, 300] as const;

const JOB_STATUS_LABELS: Record<JobStatus, string> = { queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed", cancelled: "Cancelled" };

export function createJobsService(app: App) {
  const { queue } = app;

  async function owned(caller: Caller, jobId: string): Promise<JobRow> {
    const row = await queue.byId(jobId);
    if (!row || row.ownerId !== caller.user.id) throw notFound("That job");
    return row;
  }

  const view = (row: JobRow): JobView => {
    const { ownerId: _owner, payload: _payload, runToken: _token, lockedBy: _worker, seq: _seq, ...job } = row;
    return job;
  };

  return {
    list: (caller: Caller, input: ListInput) => queue.list(caller.user.id, input),

    byId: async (caller: Caller, jobId: string) => view(await owned(caller, jobId)),

    async cancel(caller: Caller, jobId: string): Promise<JobView> {
      const row = await owned(caller, jobId);
      if (!isCancellable(row.status)) throw new AppError("PRECONDITION_FAILED", `This job has already ${row.status}; there is nothing to cancel.`);
      const cancelled = await queue.cancel(jobId);
      // It finished while we asked: say how it ended.
      if (!cancelled) throw new AppError("PRECONDITION_FAILED", "This job finished before it could be cancelled.");
      return cancelled;
    },

    async retry(caller: Caller, jobId: string): Promise<JobView> {
      const row = await owned(caller, jobId);
      if (!isRetryable(row.status)) throw new AppError("PRECONDITION_FAILED", "Only a failed or cancelled job can be retried.");
      const queued = await queue.retry(jobId);
      if (!queued) throw new AppError("PRECONDITION_FAILED", "This job was retried already.");
      return queued;
    },

    /**
     * My jobs' changes as they happen, each as the job now is. With a job id: that job's only, and
     * (without `lastEventId`) its current state first, so a client needs no separate read.
     */
    async onUpdate(caller: Caller, input: OnUpdateInput): Promise<EventStream<JobView>> {
      const source = queue.source(caller.user.id);
      const after = input.lastEventId ? BigInt(input.lastEventId) : undefined;
      if (!input.jobId) return eventStream({ source, after });
      const job = await owned(caller, input.jobId);
      const jobId = input.jobId;
      return eventStream({ source, after: after ?? BigInt(job.seq) - 1n, view: (stored) => (stored.event.id === jobId ? stored.event : undefined) });
    },

    counts: () => queue.counts(),

    /** The analytics summary's figures: jobs by status now, every owner's (userId null) or one person's. */
    async usage({ userId }: UsageScope): Promise<UsageSection> {
      let counts: Record<JobStatus, number>;
      if (userId === null) counts = await queue.counts();
      else {
        const { rows } = await app.pool.query<{ status: JobStatus; count: number }>(`SELECT status::text AS status, count(*)::int AS count FROM "Job" WHERE "ownerId" = $1 GROUP BY status`, [userId]);
        counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
        for (const { status, count } of rows) counts[status] = count;
      }
      const total = JOB_STATUSES.reduce((sum, status) => sum + counts[status], 0);
      return {
        feature: "jobs",
        title: "Background jobs",
        figures: [{ key: "jobs", label: "Jobs", value: total, unit: "count", breakdown: JOB_STATUSES.map((status) => ({ key: status, label: JOB_STATUS_LABELS[status], value: counts[status] })) }],
      };
    },

    /** Degraded when a due job has waited over a minute (too few workers, or none running), unhealthy past five. */
    async check(): Promise<Check> {
      const { due, oldestDueS } = await queue.backlog();
      const status = grade(oldestDueS, QUEUE_WAIT_S);
      const waited = Math.round(oldestDueS);
      return { status, value: due, detail: due ? `${due} job(s) waiting to run, the oldest for ${waited} s` : "no job waiting" };
    },

    start: () => queue.start(),
    stop: () => queue.stop(),
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
