"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId } from "react";
import { errorMessage } from "@/components/errors";
import { XIcon } from "@/components/icons";
import { useNow } from "@/components/time";
import { Alert, Badge, Button, Card, CardBody, CardHeader, Skeleton } from "@/components/ui";
import type { LoadTestResult, LoadTestRunView, LoadTestStatus } from "@/shared/load-tests";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { formatRate, loadWords, scenarioLabel, STATUS_LABEL, STATUS_TONE } from "./format";
import { LiveTiles } from "./LiveTiles";
import { ErrorsByKindList, ResultView } from "./ResultView";
import { RunCharts } from "./RunCharts";
import { useProgress } from "./useProgress";
import styles from "./LoadTests.module.css";

/** Past its duration by this much and still no end event: ask for the run itself (the end may have been missed). */
const GRACE_S = 5;

interface Ended {
  status: Exclude<LoadTestStatus, "running">;
  message: string | null;
  result: LoadTestResult | null;
}

function endedOf(run: LoadTestRunView | undefined): Ended | null {
  return run && run.status !== "running" ? { status: run.status, message: run.message, result: run.result } : null;
}

/** Who started it and with what: "HTTP reads · 5 × 4 s · at most 100/s · started by Grace". */
export function runWords(run: Pick<LoadTestRunView, "scenario" | "config" | "startedBy">): string {
  const parts = [scenarioLabel(run.scenario), loadWords(run.config.connections, run.config.durationS)];
  if (run.config.ratePerS !== null) parts.push(`at most ${formatRate(run.config.ratePerS)}/s`);
  if (run.startedBy) parts.push(`started by ${run.startedBy.name}`);
  return parts.join(" · ");
}

/**
 * The run in progress (this admin's or another's): elapsed time, this second's figures, the live
 * charts, errors by kind and Stop; once it ends, its result in place. Keyed by run id.
 */
export function LivePanel({ runId, onClose }: { runId: string; onClose(): void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const titleId = useId();
  const now = useNow(1_000);

  const stop = useMutation({ mutationFn: () => client.loadTest.stop.mutate({ runId }) });
  const overdue = (run: LoadTestRunView | undefined) =>
    !!run && run.status === "running" && (now - new Date(run.startedAt).getTime()) / 1000 > run.config.durationS + GRACE_S;
  const run = useQuery({
    ...trpc.loadTest.byId.queryOptions({ runId }),
    refetchInterval: (query) => (overdue(query.state.data) ? 2_000 : false),
  });
  // Subscribed before the run is read: its first seconds are sent from now, not replayed.
  const progress = useProgress(runId, !run.data || run.data.status === "running");
  const ended: Ended | null = progress.end ?? endedOf(stop.data) ?? endedOf(run.data);

  // A finished run changes the history, the next run's comparison and whether a run is in progress.
  const finished = ended !== null;
  useEffect(() => {
    if (!finished) return;
    void queryClient.invalidateQueries({ queryKey: trpc.loadTest.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.loadTest.options.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.loadTest.byId.queryKey({ runId }) });
  }, [finished, queryClient, trpc, runId]);

  if (run.isError) {
    return (
      <Card aria-labelledby={titleId}>
        <CardHeader titleId={titleId} title="Live run" actions={<CloseButton onClose={onClose} />} />
        <CardBody>
          <Alert tone="danger" title="This run can't be loaded" role="alert">
            {errorMessage(run.error)}
          </Alert>
        </CardBody>
      </Card>
    );
  }

  const view = run.data;
  const duration = view?.config.durationS ?? 0;
  const elapsed = ended?.result ? ended.result.elapsedS : Math.min(progress.latest?.second ?? 0, duration);
  const status: LoadTestStatus = ended?.status ?? "running";

  return (
    <Card aria-labelledby={titleId} className={styles.livePanel} data-testid="lt-live" data-status={status} data-run-id={runId}>
      <CardHeader
        titleId={titleId}
        title={
          <span className={styles.liveTitle}>
            {ended ? "Run finished" : "Run in progress"}
            <Badge tone={STATUS_TONE[status]} dot data-testid="lt-live-status">
              {STATUS_LABEL[status]}
            </Badge>
          </span>
        }
        description={view ? runWords(view) : <Skeleton width={260} height={14} />}
        actions={
          ended ? (
            <CloseButton onClose={onClose} />
          ) : (
            <Button variant="danger" onClick={() => stop.mutate()} loading={stop.isPending} disabled={!view}>
              Stop
            </Button>
          )
        }
      />
      <CardBody className={styles.liveBody}>
        {stop.isError ? (
          <Alert tone="danger" title="The run could not be stopped" role="alert">
            {errorMessage(stop.error)}
          </Alert>
        ) : null}
        {view ? (
          <div className={styles.target}>
            Load goes to <code>{view.config.target}</code> (Pulse itself)
          </div>
        ) : null}
        {ended ? (
          <>
            {ended.message ? (
              <Alert tone={ended.status === "failed" ? "danger" : "warning"} title={ended.status === "failed" ? "The run failed" : "Stopped early"}>
                {ended.message}
              </Alert>
            ) : null}
            {ended.result && view ? (
              <ResultView result={ended.result} scenario={view.scenario} />
            ) : !ended.result ? (
              <p className="subtle">This run left no result.</p>
            ) : null}
          </>
        ) : (
          <>
            <Elapsed elapsed={elapsed} duration={duration} />
            {progress.status === "error" ? (
              <Alert tone="warning" title="Live figures stopped" role="alert">
                {errorMessage(progress.error)} The run goes on; its result shows here when it ends.
              </Alert>
            ) : null}
            {view ? <LiveTiles latest={progress.latest} scenario={view.scenario} /> : null}
            <RunCharts series={progress.snapshots} live />
            <section aria-labelledby={`${titleId}-errors`} className={styles.liveErrors}>
              <h3 id={`${titleId}-errors`} className={styles.subTitle}>
                Errors by kind
              </h3>
              <ErrorsByKindList errors={progress.latest?.errorsByKind ?? {}} empty="No errors so far." />
            </section>
          </>
        )}
      </CardBody>
    </Card>
  );
}

function CloseButton({ onClose }: { onClose(): void }) {
  return (
    <Button variant="ghost" size="sm" onClick={onClose} aria-label="Close the run's result">
      <XIcon size={15} />
      Close
    </Button>
  );
}

function Elapsed({ elapsed, duration }: { elapsed: number; duration: number }) {
  const pct = duration ? Math.min(100, (elapsed / duration) * 100) : 0;
  return (
    <div className={styles.elapsed}>
      <div className={styles.elapsedText}>
        <span>Elapsed</span>
        <span className={styles.elapsedFigure} data-testid="lt-elapsed">
          {elapsed} s of {duration} s
        </span>
      </div>
      <div
        className={styles.track}
        role="progressbar"
        aria-label="Elapsed time"
        aria-valuemin={0}
        aria-valuemax={duration}
        aria-valuenow={elapsed}
        aria-valuetext={`${elapsed} of ${duration} seconds`}
      >
        <div className={styles.fill} style={{ width: `${Math.max(pct, 1)}%` }} />
      </div>
    </div>
  );
}
