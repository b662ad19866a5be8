"use client";
import { useId } from "react";
import { cx } from "@/components/ui";
import type { ErrorsByKind, LoadTestResult, LoadTestScenario } from "@/shared/load-tests";
import { Comparison } from "./Comparison";
import { errorRate, formatBytes, formatCount, formatMs, formatPercent, formatRate } from "./format";
import { Histogram } from "./Histogram";
import { RunCharts } from "./RunCharts";
import styles from "./Results.module.css";

/** The letter, as large as the page allows, with the rule that decided it. */
export function GradeBadge({ grade, reason, size = "lg" }: { grade: LoadTestResult["grade"]; reason?: string; size?: "lg" | "sm" }) {
  return (
    <div className={cx(styles.grade, size === "sm" && styles.gradeSm)} data-grade={grade}>
      <span className={styles.gradeLetter} data-testid="lt-grade" aria-label={`Grade ${grade}`}>
        {grade}
      </span>
      {reason ? <p className={styles.gradeReason}>{reason}</p> : null}
    </div>
  );
}

function Figure({ label, value, sub, testId }: { label: string; value: string; sub?: string; testId?: string }) {
  return (
    <div className={styles.figure}>
      <dt>{label}</dt>
      <dd>
        <span data-testid={testId}>{value}</span>
        {sub ? <span className={styles.figureSub}>{sub}</span> : null}
      </dd>
    </div>
  );
}

/** Failures by what went wrong ("timeout", "HTTP 503", …), the most frequent first. */
export function ErrorsByKindList({ errors, empty = "No errors." }: { errors: ErrorsByKind; empty?: string }) {
  const entries = Object.entries(errors)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (!entries.length) return <p className={styles.noErrors}>{empty}</p>;
  return (
    <ul className={styles.errorKinds} data-testid="lt-errors-by-kind">
      {entries.map(([kind, n]) => (
        <li key={kind}>
          <code>{kind}</code>
          <span>{formatCount(n)}</span>
        </li>
      ))}
    </ul>
  );
}

/** A finished run's outcome: grade, totals, latency, its seconds drawn, the spread, and how it compares. */
export function ResultView({ result, scenario }: { result: LoadTestResult; scenario: LoadTestScenario }) {
  const ids = { totals: useId(), latency: useId(), histogram: useId(), errors: useId(), comparison: useId(), charts: useId() };
  const l = result.latency;
  return (
    <div className={styles.result} data-testid="lt-result">
      <div className={styles.summaryRow}>
        <GradeBadge grade={result.grade} reason={result.gradeReason} />
        <section aria-labelledby={ids.totals} className={styles.totals}>
          <h3 id={ids.totals} className={styles.subTitle}>
            Totals
          </h3>
          <dl className={styles.figures}>
            <Figure label="Requests" value={formatCount(result.requests)} testId="lt-total-requests" />
            <Figure label="Requests / s" value={formatRate(result.requestsPerS)} testId="lt-total-rps" />
            <Figure label="Errors" value={formatCount(result.errors)} sub={`${formatPercent(errorRate(result.requests, result.errors))} failed`} />
            <Figure label="Ran for" value={`${result.elapsedS.toFixed(result.elapsedS < 10 ? 1 : 0)} s`} />
            <Figure label="Received" value={formatBytes(result.bytesReceived)} />
            {scenario === "websocket" && result.expected !== undefined ? (
              <Figure
                label="Delivered"
                value={result.expected ? formatPercent((result.delivered ?? 0) / result.expected) : "—"}
                sub={`${formatCount(result.delivered ?? 0)} of ${formatCount(result.expected)}`}
              />
            ) : null}
          </dl>
        </section>
      </div>

      <section aria-labelledby={ids.latency}>
        <h3 id={ids.latency} className={styles.subTitle}>
          Latency
        </h3>
        <dl className={cx(styles.figures, styles.latencyFigures)} data-testid="lt-latency">
          <Figure label="min" value={formatMs(l.min)} />
          <Figure label="mean" value={formatMs(l.mean)} />
          <Figure label="p50" value={formatMs(l.p50)} />
          <Figure label="p90" value={formatMs(l.p90)} />
          <Figure label="p95" value={formatMs(l.p95)} />
          <Figure label="p99" value={formatMs(l.p99)} />
          <Figure label="p99.9" value={formatMs(l.p999)} />
          <Figure label="max" value={formatMs(l.max)} />
        </dl>
      </section>

      <section aria-labelledby={ids.charts}>
        <h3 id={ids.charts} className="sr-only">
          Second by second
        </h3>
        <RunCharts series={result.series} height={170} />
      </section>

      <div className={styles.pair}>
        <section aria-labelledby={ids.histogram}>
          <h3 id={ids.histogram} className={styles.subTitle}>
            Latency distribution
          </h3>
          <Histogram buckets={result.histogram} />
        </section>
        <section aria-labelledby={ids.errors}>
          <h3 id={ids.errors} className={styles.subTitle}>
            Errors by kind
          </h3>
          <ErrorsByKindList errors={result.errorsByKind} />
        </section>
      </div>

      {result.comparison ? (
        <Comparison comparison={result.comparison} titleId={ids.comparison} />
      ) : (
        <p className={styles.noComparison} data-testid="lt-no-comparison">
          The first finished run of this scenario: the next one will be compared with it.
        </p>
      )}
    </div>
  );
}
