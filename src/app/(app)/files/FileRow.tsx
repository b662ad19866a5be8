"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmButton } from "@/components/ConfirmButton";
import { CopyButton } from "@/components/CopyButton";
import { errorMessage } from "@/components/errors";
import { JobProgress, JobStatusBadge } from "@/components/jobs/JobStatus";
import { formatRelative } from "@/components/time";
import { Badge, Button, buttonClass, cx } from "@/components/ui";
import { downloadPath, formatBytes, KIND_LABELS, type FileKind, type FileView } from "@/shared/files";
import { isCancellable, type JobView } from "@/shared/jobs";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { KIND_UI } from "./kinds";
import styles from "./Files.module.css";

const PREVIEWABLE = new Set<FileKind>(["screenshot", "pdf", "pagepdf"]);
const LINK_LIFETIMES = [
  { label: "1 hour", seconds: 3600 },
  { label: "1 day", seconds: 86_400 },
  { label: "7 days", seconds: 7 * 86_400 },
];

/** One file: what it is, its job's live progress while it is made, then download, preview, share, delete. */
export function FileRow({ file, liveJob, now }: { file: FileView; liveJob: JobView | undefined; now: number }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  // A file still being made (or that failed) shows its job; the live update wins over the read.
  const needsJob = file.status !== "ready" && file.jobId !== null;
  const read = useQuery({ ...trpc.jobs.byId.queryOptions({ jobId: file.jobId ?? "" }), enabled: needsJob && !liveJob });
  const job = liveJob ?? read.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.files.pathKey() });

  const remove = useMutation({
    mutationFn: () => client.files.delete.mutate({ fileId: file.id }),
    onSuccess: () => void refresh(),
    onError: (err) => setProblem(errorMessage(err)),
  });
  const retry = useMutation({
    mutationFn: (jobId: string) => client.jobs.retry.mutate({ jobId }),
    onSuccess: () => void refresh(),
    onError: (err) => setProblem(errorMessage(err)),
  });
  const cancel = useMutation({
    mutationFn: (jobId: string) => client.jobs.cancel.mutate({ jobId }),
    onError: (err) => setProblem(errorMessage(err)),
  });

  const { Icon } = KIND_UI[file.kind];
  const ready = file.status === "ready" && (!job || job.status === "succeeded");
  const making = job !== undefined && isCancellable(job.status);
  const href = downloadPath(file.id);

  return (
    <li className={styles.row} id={`file-${file.id}`} data-testid="file-row" data-status={ready ? "ready" : (job?.status ?? file.status)}>
      {ready && file.kind === "screenshot" ? (
        <a href={`${href}?inline=1`} target="_blank" rel="noreferrer" className={styles.thumb} aria-label={`Open ${file.name} in a new tab`}>
          <img src={`${href}?inline=1`} alt="" loading="lazy" />
        </a>
      ) : (
        <span className={styles.icon} data-kind={file.kind}>
          <Icon size={18} />
        </span>
      )}
      <div className={styles.main}>
        <div className={styles.titleLine}>
          {ready ? (
            <a className={styles.name} href={href} download>
              {file.name}
            </a>
          ) : (
            <span className={styles.name}>{file.name}</span>
          )}
          {!ready && job ? <JobStatusBadge status={job.status} /> : !ready && file.status === "failed" ? <Badge tone="danger">Failed</Badge> : null}
        </div>
        <p className={styles.meta}>
          {KIND_LABELS[file.kind]}
          {ready && <> · {formatBytes(file.size)}</>} · <time dateTime={new Date(file.createdAt).toISOString()}>{formatRelative(file.createdAt, now)}</time>
          {job && job.attempts > 1 && !ready && <> · attempt {job.attempts} of {job.maxAttempts}</>}
        </p>
        {!ready && job && <JobProgress job={job} label={`Making ${file.name}`} />}
        {problem && (
          <p className={styles.problem} role="alert">
            {problem}
          </p>
        )}
      </div>
      <div className={styles.actions}>
        {ready && (
          <>
            <a className={buttonClass({ size: "sm", variant: "primary" })} href={href} download aria-label={`Download ${file.name}`}>
              Download
            </a>
            {PREVIEWABLE.has(file.kind) && (
              <a className={buttonClass({ size: "sm" })} href={`${href}?inline=1`} target="_blank" rel="noreferrer" aria-label={`Preview ${file.name}`}>
                Preview
              </a>
            )}
          </>
        )}
        {job && making && (
          <Button size="sm" onClick={() => cancel.mutate(job.id)} loading={cancel.isPending} aria-label={`Cancel ${file.name}`}>
            Cancel
          </Button>
        )}
        {!ready && !making && job && (job.status === "failed" || job.status === "cancelled") && (
          <Button size="sm" onClick={() => retry.mutate(job.id)} loading={retry.isPending} aria-label={`Retry ${file.name}`}>
            Retry
          </Button>
        )}
        <ConfirmButton label={`Delete ${file.name}`} confirmLabel="Delete" onConfirm={() => remove.mutate()} loading={remove.isPending}>
          Delete
        </ConfirmButton>
      </div>
      {ready && <ShareLink fileId={file.id} name={file.name} />}
    </li>
  );
}

/** A link that works without signing in, for a while: made on request, copied, revocable. */
function ShareLink({ fileId, name }: { fileId: string; name: string }) {
  const client = useTRPCClient();
  const [open, setOpen] = useState(false);
  const [seconds, setSeconds] = useState(LINK_LIFETIMES[1]!.seconds);
  const [link, setLink] = useState<{ url: string; linkId: string; expiresAt: Date } | null>(null);
  const make = useMutation({ mutationFn: () => client.files.downloadLink.mutate({ fileId, expiresInS: seconds }), onSuccess: setLink });
  const revoke = useMutation({ mutationFn: (linkId: string) => client.files.revokeDownloadLink.mutate({ linkId }), onSuccess: () => setLink(null) });

  if (!open) {
    return (
      <button type="button" className={styles.shareToggle} onClick={() => setOpen(true)} aria-label={`Share ${name} with a link`}>
        Share with a link…
      </button>
    );
  }
  return (
    <div className={styles.share}>
      {link ? (
        <>
          <input className={cx(styles.shareUrl)} readOnly value={link.url} aria-label={`Link to ${name}`} onFocus={(e) => e.target.select()} />
          <CopyButton text={link.url} label="Copy link" />
          <Button size="sm" variant="ghost" onClick={() => revoke.mutate(link.linkId)} loading={revoke.isPending}>
            Revoke
          </Button>
          <span className={styles.shareNote}>Works without signing in until {new Date(link.expiresAt).toLocaleString()}.</span>
        </>
      ) : (
        <>
          <label className={styles.shareLife}>
            <span>Link lasts</span>
            <select value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
              {LINK_LIFETIMES.map((life) => (
                <option key={life.seconds} value={life.seconds}>
                  {life.label}
                </option>
              ))}
            </select>
          </label>
          <Button size="sm" onClick={() => make.mutate()} loading={make.isPending}>
            Create link
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
            Close
          </Button>
        </>
      )}
      {(make.error ?? revoke.error) && <span className={styles.problem}>{errorMessage(make.error ?? revoke.error)}</span>}
    </div>
  );
}
