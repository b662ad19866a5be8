"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { errorMessage } from "@/components/errors";
import { JobProgress } from "@/components/jobs/JobStatus";
import { useJobUpdates } from "@/components/jobs/useJobUpdates";
import { Button, buttonClass } from "@/components/ui";
import { downloadPath, type FileView } from "@/shared/files";
import type { JobView } from "@/shared/jobs";
import type { LoadTestRunView } from "@/shared/load-tests";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import styles from "./RunDetail.module.css";

type Format = "csv" | "pdf";
const FORMAT_LABEL: Record<Format, string> = { csv: "CSV", pdf: "PDF" };

/** Saves through a link click: the browser's own download, named by the server or by us. */
function download(href: string, name?: string) {
  const link = document.createElement("a");
  link.href = href;
  link.download = name ?? "";
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** The run as the API returned it, saved from memory: nothing to make on the server. */
function downloadJson(run: LoadTestRunView) {
  const blob = new Blob([JSON.stringify(run, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  download(url, `load-test-${run.id}.json`);
  // The click has handed the blob to the download by the next task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * A CSV or PDF made by the files feature as a background job: asked for, followed until the file
 * is ready (its job's live updates for the bar, the file itself polled as the word that counts),
 * then downloaded once, with a link left to download it again.
 */
function ServerExport({ runId, format, liveJobs }: { runId: string; format: Format; liveJobs: ReadonlyMap<string, JobView> }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [made, setMade] = useState<{ file: FileView; job: JobView } | null>(null);
  const downloaded = useRef<string | null>(null);
  const create = useMutation({ mutationFn: () => client.loadTest.export.mutate({ runId, format }), onSuccess: setMade });
  const file = useQuery({
    ...trpc.files.byId.queryOptions({ fileId: made?.file.id ?? "" }),
    enabled: made !== null,
    refetchInterval: (query) => (query.state.data?.status === "pending" || !query.state.data ? 1_000 : false),
  });
  const current = file.data ?? made?.file;
  const job = made ? (liveJobs.get(made.job.id) ?? made.job) : null;
  const ready = current?.status === "ready";
  const failed = current?.status === "failed" || job?.status === "failed" || job?.status === "cancelled";

  useEffect(() => {
    if (ready && current && downloaded.current !== current.id) {
      downloaded.current = current.id;
      download(downloadPath(current.id), current.name);
    }
  }, [ready, current]);

  const label = FORMAT_LABEL[format];
  return (
    <div className={styles.export} data-testid={`lt-export-${format}`} data-state={ready ? "ready" : failed ? "failed" : made ? "making" : "idle"}>
      {ready && current ? (
        <a className={buttonClass({ size: "sm" })} href={downloadPath(current.id)} download aria-label={`Download ${label}: ${current.name}`}>
          Download {label}
        </a>
      ) : (
        <Button size="sm" onClick={() => create.mutate()} loading={create.isPending || (made !== null && !failed)} aria-label={`Export as ${label}`}>
          {label}
        </Button>
      )}
      {made && !ready && !failed && job ? <JobProgress job={job} label={`Making the ${label}`} /> : null}
      {create.isError || failed ? (
        <p className={styles.exportError} role="alert">
          {create.isError ? errorMessage(create.error) : (job?.lastError ?? `The ${label} could not be made.`)}
        </p>
      ) : null}
    </div>
  );
}

/** JSON straight from the page; CSV (the per-second series) and PDF (a report) made by the server. */
export function ExportButtons({ run }: { run: LoadTestRunView }) {
  // One subscription to my jobs for both exports.
  const live = useJobUpdates();
  return (
    <div className={styles.exports} role="group" aria-label="Export this run">
      <span className={styles.exportsLabel}>Export</span>
      <Button size="sm" onClick={() => downloadJson(run)} aria-label="Export as JSON">
        JSON
      </Button>
      <ServerExport runId={run.id} format="csv" liveJobs={live.byId} />
      <ServerExport runId={run.id} format="pdf" liveJobs={live.byId} />
    </div>
  );
}
