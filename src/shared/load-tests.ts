/**
 * Load tests, as the API returns them and the Load tests page shows them: scenarios, the bounds
 * a run must stay within, progress snapshots, results and how they are graded (the contract:
 * DESIGN.md's API section). Durations are milliseconds; times are Dates (superjson carries them).
 */

export const LOAD_TEST_SCENARIOS = ["http-read", "http-mixed", "websocket", "chat"] as const;
export type LoadTestScenario = (typeof LOAD_TEST_SCENARIOS)[number];

export const SCENARIO_INFO: Record<LoadTestScenario, { label: string; description: string }> = {
  "http-read": { label: "HTTP reads", description: "tRPC queries over HTTP (health.ping, sessions.list), driven by autocannon." },
  "http-mixed": { label: "HTTP mixed", description: "A weighted mix of queries and mutations as the load-test account: 50 % sessions.list, 20 % health.ping, 10 % auth.me, 20 % sessions.sendMessage." },
  websocket: { label: "WebSocket fan-out", description: "N WebSocket clients follow a load-test session while a publisher sends messages; delivery latency and delivered/expected." },
  chat: { label: "Chat streams", description: "Concurrent Claude answers streamed over WebSocket; only when the local Anthropic stand-in is the upstream." },
};

export const LOAD_TEST_STATUSES = ["running", "completed", "stopped", "failed"] as const;
export type LoadTestStatus = (typeof LOAD_TEST_STATUSES)[number];

/** The bounds every run stays within (the form shows them; the server refuses anything outside them). */
export const LOAD_TEST_LIMITS = {
  connections: { min: 1, max: 1_000, default: 10 },
  durationS: { min: 1, max: 300, default: 10 },
  /** Requests (or, for websocket, published messages) per second across the whole run; absent: as fast as it goes (websocket: 10/s). */
  ratePerS: { min: 1, max: 50_000 },
  /** Every run stops at this many requests, whichever comes first. */
  maxRequests: 2_000_000,
  /** A websocket run's publisher: messages per second when no rate is given, and at most. */
  websocketRate: { default: 10, max: 200 },
  /** Concurrent chat streams: each one is an answer from the stand-in. */
  chatConnections: { max: 50 },
} as const;

/** The per-run secret's header: traffic carrying a running run's secret is exempt from rate limits. */
export const LOAD_TEST_HEADER = "x-pulse-load-test";

export type ErrorsByKind = Record<string, number>;

/** One second of a run, as `loadTest.progress` sends it live. Latencies in milliseconds. */
export interface LoadTestSnapshot {
  type: "snapshot";
  /** Seconds since the run started. */
  second: number;
  at: Date;
  /** Requests (websocket: messages delivered) completed in this second. */
  requests: number;
  requestsPerS: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  errorsByKind: ErrorsByKind;
  activeConnections: number;
  /** Totals so far. */
  totalRequests: number;
  totalErrors: number;
  /** websocket: messages delivered and expected so far. */
  delivered?: number;
  expected?: number;
}

export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}

/** One bucket of the latency histogram: how many requests took at most `upToMs` (and more than the previous bucket). */
export interface HistogramBucket {
  upToMs: number;
  count: number;
}

export type LoadTestGrade = "A" | "B" | "C" | "D" | "F";

/** How a run compares with the previous finished run of the same scenario: differences, this minus that. */
export interface LoadTestComparison {
  previousRunId: string;
  previousStartedAt: Date;
  previousGrade: LoadTestGrade;
  requestsPerS: { before: number; after: number; changePct: number | null };
  p50: { before: number; after: number; changePct: number | null };
  p95: { before: number; after: number; changePct: number | null };
  p99: { before: number; after: number; changePct: number | null };
  errorRate: { before: number; after: number };
}

export interface LoadTestResult {
  requests: number;
  errors: number;
  requestsPerS: number;
  p50: number;
  p95: number;
  p99: number;
  grade: LoadTestGrade;
  /** Why this grade: the rule that decided it, as a person reads it. */
  gradeReason: string;
  /** websocket: messages delivered to subscribers, and published × subscribers. */
  delivered?: number;
  expected?: number;
  /** How long it ran, in seconds (less than asked when stopped or capped). */
  elapsedS: number;
  latency: LatencySummary;
  histogram: HistogramBucket[];
  errorsByKind: ErrorsByKind;
  bytesReceived: number;
  /** The per-second series (what the live charts drew). */
  series: LoadTestSnapshot[];
  comparison: LoadTestComparison | null;
}

export interface LoadTestConfig {
  scenario: LoadTestScenario;
  connections: number;
  durationS: number;
  ratePerS: number | null;
  maxRequests: number;
  /** What was loaded: Pulse's own URL. */
  target: string;
}

export interface LoadTestRunView {
  id: string;
  scenario: LoadTestScenario;
  status: LoadTestStatus;
  config: LoadTestConfig;
  startedBy: { id: string; name: string } | null;
  startedAt: Date;
  endedAt: Date | null;
  /** Why a run failed or was stopped early, in words. */
  message: string | null;
  result: LoadTestResult | null;
}

/** A history row: the run without its series and histogram. */
export type LoadTestRunSummary = Omit<LoadTestRunView, "result"> & { result: Omit<LoadTestResult, "series" | "histogram"> | null };

/** What `loadTest.progress` yields: a snapshot each second, then the end. */
export type LoadTestProgressEvent = LoadTestSnapshot | { type: "end"; status: Exclude<LoadTestStatus, "running">; message: string | null; result: LoadTestResult | null };

/**
 * Grades, from the error rate and p99 latency (websocket: delivery too). A run earns the best grade
 * whose every line it meets; F when it meets none. Chat answers are whole streamed answers, so
 * their latency lines are longer.
 */
export const GRADE_THRESHOLDS: { grade: Exclude<LoadTestGrade, "F">; maxErrorRate: number; maxP99Ms: number; maxChatP99Ms: number; minDelivered: number }[] = [
  { grade: "A", maxErrorRate: 0.001, maxP99Ms: 50, maxChatP99Ms: 2_000, minDelivered: 1 },
  { grade: "B", maxErrorRate: 0.005, maxP99Ms: 100, maxChatP99Ms: 4_000, minDelivered: 0.999 },
  { grade: "C", maxErrorRate: 0.01, maxP99Ms: 250, maxChatP99Ms: 8_000, minDelivered: 0.99 },
  { grade: "D", maxErrorRate: 0.05, maxP99Ms: 1_000, maxChatP99Ms: 15_000, minDelivered: 0.95 },
];

export function gradeRun(scenario: LoadTestScenario, figures: { requests: number; errors: number; p99: number; delivered?: number; expected?: number }): { grade: LoadTestGrade; reason: string } {
  const attempts = figures.requests + figures.errors;
  const errorRate = attempts ? figures.errors / attempts : 0;
  const deliveredRatio = figures.expected ? (figures.delivered ?? 0) / figures.expected : 1;
  if (attempts === 0) return { grade: "F", reason: "No request completed." };
  for (const line of GRADE_THRESHOLDS) {
    const maxP99 = scenario === "chat" ? line.maxChatP99Ms : line.maxP99Ms;
    if (errorRate <= line.maxErrorRate && figures.p99 <= maxP99 && deliveredRatio >= line.minDelivered) {
      return { grade: line.grade, reason: `Errors ${formatPct(errorRate)} (≤ ${formatPct(line.maxErrorRate)}), p99 ${Math.round(figures.p99)} ms (≤ ${maxP99} ms)${figures.expected ? `, ${formatPct(deliveredRatio)} delivered` : ""}.` };
    }
  }
  return { grade: "F", reason: `Errors ${formatPct(errorRate)}, p99 ${Math.round(figures.p99)} ms${figures.expected ? `, ${formatPct(deliveredRatio)} delivered` : ""}: past every grade's lines.` };
}

function formatPct(ratio: number): string {
  const pct = ratio * 100;
  return `${pct >= 10 || pct === 0 ? pct.toFixed(0) : pct.toFixed(pct >= 1 ? 1 : 2)} %`;
}

/** A change in percent, or null when there was nothing to compare with. */
export function changePct(before: number, after: number): number | null {
  if (!before) return null;
  return ((after - before) / before) * 100;
}

/** What `loadTest.options` says: the bounds, which scenarios this server can run now, and the run in progress. */
export interface LoadTestOptions {
  limits: typeof LOAD_TEST_LIMITS;
  scenarios: { scenario: LoadTestScenario; available: boolean; reason: string | null }[];
  /** Where the load goes: Pulse's own URL (never one a person types). */
  target: string;
  running: LoadTestRunSummary | null;
  thresholds: typeof GRADE_THRESHOLDS;
}
