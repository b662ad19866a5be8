import { Badge, type Tone } from "@/components/ui";
import type { JobStatus, JobView } from "@/shared/jobs";
import styles from "./JobStatus.module.css";

export const JOB_STATUS_LABEL: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

const TONE: Record<JobStatus, Tone> = { queued: "neutral", running: "info", succeeded: "success", failed: "danger", cancelled: "warning" };

export function JobStatusBadge({ status }: { status: JobStatus }) {
  return (
    <Badge tone={TONE[status]} dot data-status={status}>
      {JOB_STATUS_LABEL[status]}
    </Badge>
  );
}

/** The bar and what the job is doing; a finished job shows its outcome instead of a bar. */
export function JobProgress({ job, label }: { job: Pick<JobView, "status" | "progress" | "message" | "lastError">; label: string }) {
  const active = job.status === "queued" || job.status === "running";
  const line = job.status === "failed" ? (job.lastError ?? job.message) : job.message;
  return (
    <div className={styles.progress}>
      {active && (
        <div
          className={styles.track}
          role="progressbar"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={job.progress}
          aria-valuetext={`${job.progress}%${job.message ? `: ${job.message}` : ""}`}
        >
          <div className={styles.fill} data-running={job.status === "running" || undefined} style={{ width: `${Math.max(job.progress, 2)}%` }} />
        </div>
      )}
      {line && (
        <p className={styles.message} data-tone={job.status === "failed" ? "danger" : undefined}>
          {active && <span className={styles.percent}>{job.progress}%</span>}
          {line}
        </p>
      )}
    </div>
  );
}
