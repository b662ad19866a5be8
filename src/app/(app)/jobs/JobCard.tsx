"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { errorMessage } from "@/components/errors";
import { ClockIcon } from "@/components/icons";
import { JobProgress, JobStatusBadge } from "@/components/jobs/JobStatus";
import { formatDateTime, formatRelative } from "@/components/time";
import { Alert, Badge, Button, Skeleton, buttonClass } from "@/components/ui";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { downloadPath } from "@/shared/files";
import { isCancellable, isRetryable, type JobView } from "@/shared/jobs";
import { DownloadIcon, RetryIcon, StopIcon, TypeIcon, shortId, tookText, typeLabel, untilText } from "./jobText";
import styles from "./JobCard.module.css";

function When({ label, at, now }: { label: string; at: Date; now: number }) {
  return (
    <span>
      {label}{" "}
      <time dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
        {formatRelative(at, now)}
      </time>
    </span>
  );
}

/**
 * One job: what it makes, its status and progress (live), its attempts and times, the last
 * error of a failed one, and Cancel / Retry / Download.
 */
export function JobCard({ job, now }: { job: JobView; now: number }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() });
  const cancel = useMutation({ mutationFn: () => client.jobs.cancel.mutate({ jobId: job.id }), onSuccess: refresh });
  const retry = useMutation({ mutationFn: () => client.jobs.retry.mutate({ jobId: job.id }), onSuccess: refresh });
  const failure = cancel.error ?? retry.error;

  const short = shortId(job.id);
  const name = typeLabel(job.type);
  const titleId = `job-${job.id}`;
  const waitingToRetry = job.status === "queued" && job.nextAttemptAt && new Date(job.nextAttemptAt).getTime() > now;
  const ready = job.status === "succeeded" && job.fileId;

  return (
    <li className={styles.card} data-status={job.status} data-testid="job" data-job-id={job.id} aria-labelledby={titleId}>
      <span className={styles.tile} aria-hidden="true">
        <TypeIcon type={job.type} />
      </span>

      <div className={styles.who}>
        <div className={styles.titleRow}>
          <h2 className={styles.title} id={titleId}>
            {name} <span className="sr-only">job {short}</span>
          </h2>
          <JobStatusBadge status={job.status} />
          {job.priority !== "normal" ? (
            <Badge tone={job.priority === "high" ? "accent" : "neutral"} data-testid="job-priority">
              {job.priority === "high" ? "High priority" : "Low priority"}
            </Badge>
          ) : null}
        </div>
        <p className={styles.sub}>
          <span className={styles.id} title={job.id}>
            #{short}
          </span>
          {job.fileId ? (
            <>
              <span aria-hidden="true">·</span>
              <Link href={`/files#file-${job.fileId}`} className={styles.fileLink}>
                Open file
              </Link>
            </>
          ) : null}
        </p>
      </div>

      <div className={styles.progress}>
        <JobProgress job={job} label={`Progress of job ${short}`} />
        {waitingToRetry && job.lastError ? (
          <p className={styles.lastError} data-testid="job-last-error">
            Last attempt: {job.lastError}
          </p>
        ) : null}
      </div>

      <div className={styles.actions}>
        {ready ? (
          <a href={downloadPath(job.fileId!)} download className={buttonClass({ size: "sm", variant: "primary" })} aria-label={`Download the file of job ${short}`}>
            <DownloadIcon size={14} />
            Download
          </a>
        ) : null}
        {isCancellable(job.status) ? (
          <Button size="sm" variant="danger" loading={cancel.isPending} onClick={() => {
              retry.reset();
              cancel.mutate();
            }} aria-label={`Cancel job ${short}`}>
            {cancel.isPending ? null : <StopIcon size={13} />}
            Cancel
          </Button>
        ) : null}
        {isRetryable(job.status) ? (
          <Button size="sm" loading={retry.isPending} onClick={() => {
              cancel.reset();
              retry.mutate();
            }} aria-label={`Retry job ${short}`}>
            {retry.isPending ? null : <RetryIcon size={14} />}
            Retry
          </Button>
        ) : null}
      </div>

      <p className={styles.meta}>
        {waitingToRetry ? (
          <span className={styles.retrying} data-testid="job-retrying">
            <ClockIcon size={13} />
            Retrying in {untilText(job.nextAttemptAt!, now)}
          </span>
        ) : null}
        {job.attempts > 0 ? (
          <span data-testid="job-attempts">
            Attempt {job.attempts} of {job.maxAttempts}
          </span>
        ) : (
          <span>
            Up to {job.maxAttempts} {job.maxAttempts === 1 ? "attempt" : "attempts"}
          </span>
        )}
        <When label="Created" at={job.createdAt} now={now} />
        {job.startedAt ? <When label="Started" at={job.startedAt} now={now} /> : null}
        {job.finishedAt ? <When label="Finished" at={job.finishedAt} now={now} /> : null}
        {job.startedAt && job.finishedAt && job.status === "succeeded" ? <span>Took {tookText(job.startedAt, job.finishedAt)}</span> : null}
      </p>

      {failure ? (
        <div className={styles.error}>
          <Alert tone="danger" role="alert">
            {errorMessage(failure)}
          </Alert>
        </div>
      ) : null}
    </li>
  );
}

/** A job's shape while the list loads. */
export function JobCardSkeleton() {
  return (
    <li className={styles.card} aria-hidden="true">
      <Skeleton width={40} height={40} style={{ borderRadius: 10 }} />
      <div className={styles.who}>
        <Skeleton width={160} height={18} />
        <Skeleton width={90} height={13} />
      </div>
      <div className={styles.progress}>
        <Skeleton width="100%" height={6} />
        <Skeleton width="60%" height={13} />
      </div>
      <div className={styles.actions}>
        <Skeleton width={74} height={30} />
      </div>
      <div className={styles.meta}>
        <Skeleton width={260} height={13} />
      </div>
    </li>
  );
}
