"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef } from "react";
import { XIcon } from "@/components/icons";
import { formatDateTime } from "@/components/time";
import { Alert, Badge, Button, Card, CardBody, CardHeader, LoadError, Skeleton } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { ExportButtons } from "./ExportButtons";
import { STATUS_LABEL, STATUS_TONE } from "./format";
import { runWords } from "./LivePanel";
import { ResultView } from "./ResultView";
import styles from "./RunDetail.module.css";

/** One past run opened from the history: its whole result, how it compares, and its exports. */
export function RunDetail({ runId, onClose }: { runId: string; onClose(): void }) {
  const trpc = useTRPC();
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const run = useQuery(trpc.loadTest.byId.queryOptions({ runId }));

  // Opened from a row far below: bring it into view, and focus it so the keyboard follows.
  useEffect(() => {
    box.current?.scrollIntoView({ behavior: "smooth", block: "start" });
    box.current?.focus({ preventScroll: true });
  }, [runId]);

  const view = run.data;
  return (
    <div ref={box} tabIndex={-1} className={styles.anchor}>
    <Card aria-labelledby={titleId} className={styles.detail} data-testid="lt-detail" data-run-id={runId}>
      <CardHeader
        titleId={titleId}
        title={
          <span className={styles.title}>
            {view ? `Run of ${formatDateTime(view.startedAt)}` : "Run"}
            {view ? (
              <Badge tone={STATUS_TONE[view.status]} dot data-testid="lt-detail-status">
                {STATUS_LABEL[view.status]}
              </Badge>
            ) : null}
          </span>
        }
        description={view ? runWords(view) : <Skeleton width={260} height={14} />}
        actions={
          <Button variant="ghost" size="sm" onClick={onClose} aria-label="Close the run's detail">
            <XIcon size={15} />
            Close
          </Button>
        }
      />
      <CardBody className={styles.body}>
        {run.isError ? (
          <LoadError title="This run can't be loaded" error={run.error} onRetry={() => void run.refetch()} />
        ) : !view ? (
          <div aria-busy="true">
            <span className="sr-only" role="status">
              Loading the run…
            </span>
            <Skeleton height={120} />
          </div>
        ) : (
          <>
            {view.result ? <ExportButtons run={view} /> : null}
            {view.message ? (
              <Alert tone={view.status === "failed" ? "danger" : "warning"} title={view.status === "failed" ? "The run failed" : "Stopped early"}>
                {view.message}
              </Alert>
            ) : null}
            {view.status === "running" ? (
              <p className="subtle">Still running: its figures are live in the panel above.</p>
            ) : view.result ? (
              <ResultView result={view.result} scenario={view.scenario} />
            ) : (
              <p className="subtle">This run left no result.</p>
            )}
          </>
        )}
      </CardBody>
    </Card>
    </div>
  );
}
