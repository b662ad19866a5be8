"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useShell } from "@/components/AppShell";
import { ConnectionIndicator } from "@/components/ConnectionIndicator";
import { errorMessage } from "@/components/errors";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { useNow } from "@/components/time";
import { Alert, LoadError, PageHeader, layout } from "@/components/ui";
import { ANALYTICS_WINDOWS, DEFAULT_WINDOW_S } from "@/shared/analytics";
import { useTRPC } from "@/trpc/react";
import { windowWords } from "./format";
import { Instances } from "./Instances";
import { AlertBanner, LiveTiles } from "./LiveTiles";
import { RequestLog } from "./RequestLog";
import { SlowestRoutes } from "./SlowestRoutes";
import { TopErrors } from "./TopErrors";
import { TrafficCharts } from "./TrafficCharts";
import { Usage } from "./Usage";
import { useLive } from "./useLive";
import styles from "./Analytics.module.css";

function RangePicker({ windowS, onChange }: { windowS: number; onChange: (windowS: number) => void }) {
  return (
    <ChipRow role="group" aria-label="Time range" data-testid="range-picker" className={styles.range}>
      {ANALYTICS_WINDOWS.map((w) => (
        <Chip key={w.seconds} on={w.seconds === windowS} onClick={() => onChange(w.seconds)}>
          {w.label}
        </Chip>
      ))}
    </ChipRow>
  );
}

function useWindow() {
  const [windowS, setWindowS] = useState<number>(DEFAULT_WINDOW_S);
  const label = ANALYTICS_WINDOWS.find((w) => w.seconds === windowS)?.label ?? `${Math.round(windowS / 60)} min`;
  return { windowS, setWindowS, span: windowWords(label) };
}

/** Everything, for admins: live figures, charts, routes, errors, requests, instances, usage. */
function AdminDashboard() {
  const trpc = useTRPC();
  const { windowS, setWindowS, span } = useWindow();
  const now = useNow(5_000);
  // Short windows move fast; a week's chart gains a bucket an hour.
  const refetchInterval = windowS <= 60 * 60 ? 15_000 : 60_000;
  const performance = useQuery(trpc.analytics.performance.queryOptions({ windowS }, { refetchInterval, placeholderData: keepPreviousData }));
  const system = useQuery(trpc.analytics.system.queryOptions({ windowS }, { refetchInterval, placeholderData: keepPreviousData }));
  const live = useLive(true);

  return (
    <>
      <PageHeader
        eyebrow="Insights"
        title="Analytics"
        description="Traffic, latency, errors and resources of every instance, live."
        actions={
          <div className={styles.headerActions}>
            <RangePicker windowS={windowS} onChange={setWindowS} />
            <ConnectionIndicator pill />
          </div>
        }
      />
      <div className={layout.stack}>
        {live.status === "error" ? (
          <Alert tone="danger" title="Live updates stopped" role="alert">
            {errorMessage(live.error)}
          </Alert>
        ) : null}
        <AlertBanner alerts={live.latest?.alerts ?? []} now={now} />
        <LiveTiles snapshots={live.snapshots} latest={live.latest} />
        {performance.isError ? <LoadError title="Traffic can't be loaded" error={performance.error} onRetry={() => void performance.refetch()} /> : null}
        {system.isError ? <LoadError title="System figures can't be loaded" error={system.error} onRetry={() => void system.refetch()} /> : null}
        <TrafficCharts
          performance={performance.data}
          system={system.data}
          live={live.snapshots}
          span={span}
          loadingPerformance={performance.isPending}
          loadingSystem={system.isPending}
        />
        <SlowestRoutes routes={performance.data?.routes} loading={performance.isPending} span={span} />
        <TopErrors windowS={windowS} span={span} mine={false} />
        <RequestLog windowS={windowS} span={span} mine={false} />
        <Instances system={system.data} loading={system.isPending} />
        <Usage />
      </div>
    </>
  );
}

/** A member's own use: no admin-only call is made (it would be FORBIDDEN). */
function MemberView() {
  const { windowS, setWindowS, span } = useWindow();
  return (
    <>
      <PageHeader
        eyebrow="Insights"
        title="Analytics"
        description="Your use of Pulse: what you made, what you asked, and how your requests went."
        actions={<RangePicker windowS={windowS} onChange={setWindowS} />}
      />
      <div className={layout.stack}>
        <Usage />
        <TopErrors windowS={windowS} span={span} mine />
        <RequestLog windowS={windowS} span={span} mine />
      </div>
    </>
  );
}

export function AnalyticsView() {
  const { me } = useShell();
  return me.role === "ADMIN" ? <AdminDashboard /> : <MemberView />;
}
