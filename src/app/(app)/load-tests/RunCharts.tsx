"use client";
import { useMemo } from "react";
import { TimeSeriesChart, type ChartSeries } from "@/components/charts/TimeSeriesChart";
import { Card, CardBody, cx, layout } from "@/components/ui";
import type { LoadTestSnapshot } from "@/shared/load-tests";
import { formatMs, formatRate } from "./format";
import styles from "./LoadTests.module.css";

const rate = (v: number) => `${formatRate(v)}/s`;

/** Requests per second and latency percentiles of a run, one point a second: live, or a finished run's series. */
export function RunCharts({ series, live = false, height = 190 }: { series: readonly LoadTestSnapshot[]; live?: boolean; height?: number }) {
  const charts = useMemo(() => {
    // Seconds since the start: a run lasts seconds, and its clock ticks would repeat one another.
    const times = series.map((s) => s.second * 1000);
    return {
      times,
      requests: [{ label: "Requests", color: "accent", fill: true, values: series.map((s) => s.requestsPerS) }] satisfies ChartSeries[],
      latency: [
        { label: "p50", color: "success", values: series.map((s) => s.p50) },
        { label: "p95", color: "accent", fill: true, values: series.map((s) => s.p95) },
        { label: "p99", color: "warning", values: series.map((s) => s.p99) },
      ] satisfies ChartSeries[],
    };
  }, [series]);
  const span = live ? "since the run started" : "over the run";
  const empty = live ? "The first second is on its way…" : "No seconds were recorded";
  return (
    <div className={cx(layout.grid2, styles.charts)}>
      <Card as="div">
        <CardBody>
          <TimeSeriesChart
            title="Requests per second"
            description="Completed requests, each second of the run"
            times={charts.times}
            series={charts.requests}
            format={rate}
            span={span}
            empty={empty}
            height={height}
            testId="lt-chart-requests"
            xAxis="elapsed"
          />
        </CardBody>
      </Card>
      <Card as="div">
        <CardBody>
          <TimeSeriesChart
            title="Latency"
            description="p50, p95 and p99 of each second"
            times={charts.times}
            series={charts.latency}
            format={formatMs}
            span={span}
            empty={empty}
            height={height}
            testId="lt-chart-latency"
            xAxis="elapsed"
          />
        </CardBody>
      </Card>
    </div>
  );
}
