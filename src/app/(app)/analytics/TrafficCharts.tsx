"use client";
import { useMemo } from "react";
import { TimeSeriesChart, type ChartSeries } from "@/components/charts/TimeSeriesChart";
import { Card, CardBody, cx, layout } from "@/components/ui";
import type { LiveSnapshot, PerformanceResult, SystemResult } from "@/shared/analytics";
import { formatBytes, formatCount, formatMs, formatPercent, formatRate } from "./format";
import styles from "./Analytics.module.css";

/**
 * The stored buckets, then the live seconds after the last of them: the charts reach to now,
 * and a refetch (a new bucket) takes over the seconds it covers.
 */
function timeline<P extends { at: Date }>(points: readonly P[], live: readonly LiveSnapshot[]) {
  const last = points.length ? new Date(points[points.length - 1]!.at).getTime() : -Infinity;
  const tail = live.filter((s) => new Date(s.at).getTime() > last);
  const times = [...points.map((p) => new Date(p.at).getTime()), ...tail.map((s) => new Date(s.at).getTime())];
  return {
    times,
    pick: (stored: (i: number) => number, fromLive: (s: LiveSnapshot) => number): (number | null)[] => [
      ...points.map((_, i) => stored(i)),
      ...tail.map(fromLive),
    ],
  };
}

const rate = (v: number) => `${formatRate(v)}/s`;

export function TrafficCharts({
  performance,
  system,
  live,
  span,
  loadingPerformance,
  loadingSystem,
}: {
  performance: PerformanceResult | undefined;
  system: SystemResult | undefined;
  live: readonly LiveSnapshot[];
  span: string;
  loadingPerformance: boolean;
  loadingSystem: boolean;
}) {
  const traffic = useMemo(() => {
    const points = performance?.series ?? [];
    const t = timeline(points, live);
    const series = (key: "requestsPerS" | "errorRate" | "p50" | "p95" | "p99") =>
      t.pick(
        (i) => points[i]![key],
        (s) => s[key],
      );
    return {
      times: t.times,
      requests: [{ label: "Requests", color: "accent", fill: true, values: series("requestsPerS") }] satisfies ChartSeries[],
      latency: [
        { label: "p50", color: "success", values: series("p50") },
        { label: "p95", color: "accent", fill: true, values: series("p95") },
        { label: "p99", color: "warning", values: series("p99") },
      ] satisfies ChartSeries[],
      errors: [{ label: "Error rate", color: "danger", fill: true, values: series("errorRate") }] satisfies ChartSeries[],
    };
  }, [performance, live]);

  const machine = useMemo(() => {
    const points = system?.series ?? [];
    const t = timeline(points, live);
    return {
      times: t.times,
      memory: [
        { label: "RSS", color: "accent", fill: true, values: t.pick((i) => points[i]!.rssBytes, (s) => s.rssBytes) },
        { label: "Heap used", color: "info", values: t.pick((i) => points[i]!.heapUsedBytes, (s) => s.heapUsedBytes) },
      ] satisfies ChartSeries[],
      connections: [
        { label: "WebSocket", color: "success", fill: true, values: t.pick((i) => points[i]!.wsConnections, (s) => s.wsConnections) },
        { label: "Queue", color: "warning", values: t.pick((i) => points[i]!.queueDepth, (s) => s.queueDepth) },
      ] satisfies ChartSeries[],
    };
  }, [system, live]);

  const emptyTraffic = "No requests in this window yet";
  return (
    <section aria-labelledby="charts-title" className={layout.stack}>
      <h2 id="charts-title" className="sr-only">
        Charts
      </h2>
      <div className={cx(layout.grid2, styles.chartGrid)}>
        <Card>
          <CardBody>
            <TimeSeriesChart
              title="Requests per second"
              description="Every HTTP request and tRPC call, all instances"
              times={traffic.times}
              series={traffic.requests}
              format={rate}
              span={span}
              loading={loadingPerformance}
              empty={emptyTraffic}
              testId="chart-requests"
            />
          </CardBody>
        </Card>
        <Card>
          <CardBody>
            <TimeSeriesChart
              title="Latency"
              description="Percentiles of call duration"
              times={traffic.times}
              series={traffic.latency}
              format={formatMs}
              span={span}
              loading={loadingPerformance}
              empty={emptyTraffic}
              testId="chart-latency"
            />
          </CardBody>
        </Card>
      </div>
      <div className={cx(layout.grid3, styles.chartGrid)}>
        <Card>
          <CardBody>
            <TimeSeriesChart
              title="Error rate"
              description="Server failures per call"
              times={traffic.times}
              series={traffic.errors}
              format={formatPercent}
              span={span}
              loading={loadingPerformance}
              empty={emptyTraffic}
              height={160}
              minTop={0.05}
              testId="chart-errors"
            />
          </CardBody>
        </Card>
        <Card>
          <CardBody>
            <TimeSeriesChart
              title="Memory"
              description="Summed over instances"
              times={machine.times}
              series={machine.memory}
              format={formatBytes}
              span={span}
              loading={loadingSystem}
              empty="No samples in this window yet"
              height={160}
              testId="chart-memory"
            />
          </CardBody>
        </Card>
        <Card>
          <CardBody>
            <TimeSeriesChart
              title="Connections"
              description="Open WebSockets and queued jobs"
              times={machine.times}
              series={machine.connections}
              format={formatCount}
              span={span}
              loading={loadingSystem}
              empty="No samples in this window yet"
              height={160}
              integer
              testId="chart-connections"
            />
          </CardBody>
        </Card>
      </div>
    </section>
  );
}
