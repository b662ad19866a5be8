/** A run's result from the generator's totals, its comparison with the previous run, and its exports (CSV, one-page PDF). */
import { changePct, GRADE_THRESHOLDS, gradeRun, SCENARIO_INFO, type LoadTestComparison, type LoadTestResult, type LoadTestRunView, type LoadTestScenario, type LoadTestSnapshot } from "@/shared/load-tests";
import type { RunnerTotals } from "./runner/protocol.js";

export function resultOf(scenario: LoadTestScenario, totals: RunnerTotals, series: LoadTestSnapshot[], previous: { id: string; startedAt: Date; result: LoadTestResult } | null): LoadTestResult {
  const { latency } = totals;
  const requestsPerS = totals.elapsedS > 0 ? Math.round((totals.requests / totals.elapsedS) * 10) / 10 : 0;
  const { grade, reason } = gradeRun(scenario, { requests: totals.requests, errors: totals.errors, p99: latency.p99, delivered: totals.delivered, expected: totals.expected });
  const result: LoadTestResult = {
    requests: totals.requests,
    errors: totals.errors,
    requestsPerS,
    p50: latency.p50,
    p95: latency.p95,
    p99: latency.p99,
    grade,
    gradeReason: reason,
    ...(totals.expected !== undefined ? { delivered: totals.delivered ?? 0, expected: totals.expected } : {}),
    elapsedS: totals.elapsedS,
    latency,
    histogram: totals.histogram,
    errorsByKind: totals.errorsByKind,
    bytesReceived: totals.bytesReceived,
    series,
    comparison: null,
  };
  if (previous) result.comparison = compare(result, previous);
  return result;
}

const errorRate = (r: Pick<LoadTestResult, "requests" | "errors">) => (r.requests ? r.errors / r.requests : 0);

function compare(now: LoadTestResult, previous: { id: string; startedAt: Date; result: LoadTestResult }): LoadTestComparison {
  const before = previous.result;
  const figure = (key: "requestsPerS" | "p50" | "p95" | "p99") => ({ before: before[key], after: now[key], changePct: changePct(before[key], now[key]) });
  return {
    previousRunId: previous.id,
    previousStartedAt: previous.startedAt,
    previousGrade: before.grade,
    requestsPerS: figure("requestsPerS"),
    p50: figure("p50"),
    p95: figure("p95"),
    p99: figure("p99"),
    errorRate: { before: errorRate(before), after: errorRate(now) },
  };
}

const ms = (value: number) => `${value.toLocaleString("en", { maximumFractionDigits: 1 })} ms`;
const count = (value: number) => value.toLocaleString("en");
const pct = (value: number | null) => (value === null ? "–" : `${value > 0 ? "+" : ""}${value.toFixed(1)} %`);

/** The per-second series as CSV rows (a header first). */
export function csvRows(run: LoadTestRunView): string[][] {
  const header = ["second", "at", "requests_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "active_connections", "total_requests", "total_errors", "delivered", "expected"];
  const rows = (run.result?.series ?? []).map((s) => [s.second, s.at.toISOString(), s.requestsPerS, s.p50, s.p95, s.p99, s.errors, s.activeConnections, s.totalRequests, s.totalErrors, s.delivered ?? "", s.expected ?? ""].map(String));
  return [header, ...rows];
}

/** A one-page report: configuration, the figures and grade, latency, errors, and the comparison. */
export function pdfDocument(run: LoadTestRunView) {
  const result = run.result;
  const { config } = run;
  const title = `Load test: ${SCENARIO_INFO[run.scenario].label}, ${run.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const sections: { heading: string; paragraphs?: string[]; bullets?: string[]; table?: { header: string[]; rows: string[][] } }[] = [
    {
      heading: "Run",
      table: {
        header: ["Setting", "Value"],
        rows: [
          ["Scenario", `${SCENARIO_INFO[run.scenario].label} (${run.scenario})`],
          ["Target", config.target],
          ["Connections", count(config.connections)],
          ["Duration", `${config.durationS} s asked, ${result ? result.elapsedS.toFixed(1) : "–"} s run`],
          ["Rate", config.ratePerS ? `${count(config.ratePerS)} per second` : "as fast as it goes"],
          ["Status", run.status + (run.message ? `: ${run.message}` : "")],
          ["Started by", run.startedBy?.name ?? "–"],
        ],
      },
    },
  ];
  if (result) {
    sections.push({
      heading: `Grade ${result.grade}`,
      paragraphs: [result.gradeReason],
      table: {
        header: ["Requests", "Errors", "Requests/s", "p50", "p95", "p99", "Max"],
        rows: [[count(result.requests), count(result.errors), count(result.requestsPerS), ms(result.p50), ms(result.p95), ms(result.p99), ms(result.latency.max)]],
      },
    });
    if (result.expected !== undefined) sections.push({ heading: "Delivery", paragraphs: [`${count(result.delivered ?? 0)} of ${count(result.expected)} messages delivered.`] });
    const kinds = Object.entries(result.errorsByKind);
    if (kinds.length) sections.push({ heading: "Errors by kind", table: { header: ["Kind", "Count"], rows: kinds.map(([kind, n]) => [kind, count(n)]) } });
    if (result.comparison) {
      const c = result.comparison;
      sections.push({
        heading: `Compared with the previous run (${c.previousStartedAt.toISOString().slice(0, 16).replace("T", " ")} UTC, grade ${c.previousGrade})`,
        table: {
          header: ["Figure", "Before", "Now", "Change"],
          rows: [
            ["Requests/s", count(c.requestsPerS.before), count(c.requestsPerS.after), pct(c.requestsPerS.changePct)],
            ["p50", ms(c.p50.before), ms(c.p50.after), pct(c.p50.changePct)],
            ["p95", ms(c.p95.before), ms(c.p95.after), pct(c.p95.changePct)],
            ["p99", ms(c.p99.before), ms(c.p99.after), pct(c.p99.changePct)],
          ],
        },
      });
    }
  }
  sections.push({
    heading: "How runs are graded",
    bullets: GRADE_THRESHOLDS.map((t) => `${t.grade}: errors ≤ ${(t.maxErrorRate * 100).toFixed(1)} %, p99 ≤ ${t.maxP99Ms} ms (chat ${t.maxChatP99Ms} ms)${t.minDelivered < 1 ? `, ≥ ${(t.minDelivered * 100).toFixed(1)} % delivered` : ", every message delivered"}; F otherwise.`),
  });
  return { title, author: "Pulse", sections };
}
