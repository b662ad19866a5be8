"use client";
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { ConnectionIndicator } from "@/components/ConnectionIndicator";
import { Card, CardBody, CardHeader, LoadError, PageHeader, Skeleton, layout } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { GradingInfo } from "./GradingInfo";
import { History } from "./History";
import { LivePanel } from "./LivePanel";
import { RunDetail } from "./RunDetail";
import { StartForm } from "./StartForm";
import styles from "./LoadTests.module.css";

function About({ target, maxRequests }: { target: string; maxRequests: number }) {
  const titleId = useId();
  return (
    <Card aria-labelledby={titleId}>
      <CardHeader titleId={titleId} title="Before you start" />
      <CardBody className={styles.about}>
        <ul className={styles.notes}>
          <li>
            The load goes to this Pulse only, at <code>{target}</code>: never to an address someone types.
          </li>
          <li>One run at a time across every instance. Any admin can watch a run live or stop it.</li>
          <li>Every run ends at its duration or after {maxRequests.toLocaleString("en")} requests, whichever comes first.</li>
          <li>A run&apos;s own traffic is exempt from rate limits, so people using Pulse meanwhile may feel it.</li>
        </ul>
        <GradingInfo />
      </CardBody>
    </Card>
  );
}

/** The admin's load-test console: start a run, watch it live, read past results. */
export function LoadTestsView() {
  const trpc = useTRPC();
  // The run the panel follows: the one started here, or the one in progress when the page learnt of it
  // (another admin's too). It stays followed after it ends, for its result, until closed.
  const [followed, setFollowed] = useState<string | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  // Polled so that a run another admin starts shows up here too.
  const options = useQuery(trpc.loadTest.options.queryOptions(undefined, { refetchInterval: 10_000 }));
  const runningId = options.data?.running?.id ?? null;
  // A run in progress takes the panel over from a finished one (set while rendering: derived state).
  if (runningId && runningId !== dismissed && runningId !== followed) setFollowed(runningId);
  const activeId = followed;

  return (
    <>
      <PageHeader
        eyebrow="Administration"
        title="Load tests"
        description="Put Pulse under controlled load from the browser and watch throughput and latency percentiles as they happen."
        actions={<ConnectionIndicator pill />}
      />
      <div className={layout.stack}>
        {options.isError ? <LoadError title="Load tests can't be loaded" error={options.error} onRetry={() => void options.refetch()} /> : null}
        {activeId ? (
          <LivePanel
            key={activeId}
            runId={activeId}
            onClose={() => {
              setDismissed(activeId);
              setFollowed(null);
            }}
          />
        ) : null}
        <div className={styles.top}>
          {options.data ? (
            <>
              <StartForm options={options.data} busy={runningId !== null} onStarted={setFollowed} />
              <About target={options.data.target} maxRequests={options.data.limits.maxRequests} />
            </>
          ) : options.isPending ? (
            <>
              <Card aria-busy="true">
                <CardBody>
                  <span className="sr-only" role="status">
                    Loading…
                  </span>
                  <Skeleton height={260} />
                </CardBody>
              </Card>
              <Card>
                <CardBody>
                  <Skeleton height={180} />
                </CardBody>
              </Card>
            </>
          ) : null}
        </div>
        {selected ? <RunDetail key={selected} runId={selected} onClose={() => setSelected(null)} /> : null}
        <History selectedId={selected} onOpen={setSelected} />
      </div>
    </>
  );
}
