/**
 * Analytics, as the API returns it and the Analytics page shows it: the shapes of `analytics.*`
 * (the contract: DESIGN.md's API section) and the values both sides need (windows, alert rules).
 * Durations are milliseconds; times are Dates (superjson carries them).
 */

/** The range picker's choices: 15 minutes up to 7 days. */
export const ANALYTICS_WINDOWS = [
  { label: "15 min", seconds: 15 * 60 },
  { label: "1 hour", seconds: 60 * 60 },
  { label: "6 hours", seconds: 6 * 60 * 60 },
  { label: "24 hours", seconds: 24 * 60 * 60 },
  { label: "7 days", seconds: 7 * 24 * 60 * 60 },
] as const;
export const MIN_WINDOW_S = 60;
export const MAX_WINDOW_S = 7 * 24 * 60 * 60;
export const DEFAULT_WINDOW_S = 15 * 60;

/** The route of every call together: a series' and a summary's row. */
export const ALL_ROUTES = "*";

/** How a call ended: fine, refused (4xx: the caller's mistake) or failed (5xx: ours). */
export type Outcome = "ok" | "client" | "server";

export interface RoutePerformance {
  /** `trpc:<path>` for a procedure (`trpc:health.ping`), `<METHOD> <template>` for other HTTP routes. */
  route: string;
  count: number;
  /** Server failures (5xx). */
  errors: number;
  /** Refused requests (4xx). */
  clientErrors: number;
  /** Calls per second over the window. */
  ratePerS: number;
  /** errors / count, 0–1. */
  errorRate: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** One bucket of the requests chart. */
export interface TrafficPoint {
  at: Date;
  requestsPerS: number;
  /** Server failures per call, 0–1. */
  errorRate: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface PerformanceResult {
  windowS: number;
  from: Date;
  to: Date;
  /** Width of a series bucket. */
  bucketS: number;
  /** Every route seen in the window, slowest p95 first. */
  routes: RoutePerformance[];
  /** Every call together (route `*`), as a whole and per bucket. */
  total: RoutePerformance;
  series: TrafficPoint[];
}

export interface RequestEntry {
  id: string;
  at: Date;
  requestId: string;
  instance: string;
  transport: "http" | "ws";
  method: string;
  /** The URL path of an HTTP request; the procedure's path of a tRPC call. */
  path: string;
  route: string;
  /** HTTP status (a tRPC call over WebSocket: the status its error code maps to). */
  status: number;
  code: string | null;
  durationMs: number;
  userId: string | null;
}

export interface RequestsResult {
  items: RequestEntry[];
  nextCursor: string | null;
}

export interface ErrorGroupView {
  fingerprint: string;
  kind: "server" | "client";
  code: string;
  route: string;
  message: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  lastRequestId: string | null;
  /** Admins only; null for others and for client errors. */
  sampleStack: string | null;
}

export interface ErrorsResult {
  groups: ErrorGroupView[];
}

export interface InstanceSystem {
  instance: string;
  /** When this sample was taken. */
  at: Date;
  uptimeS: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Of one core, over the last sample interval: 100 is one core busy. */
  cpuPercent: number;
  eventLoopP50Ms: number;
  eventLoopP99Ms: number;
  /** Active handles (sockets, timers, servers). */
  handles: number;
  databasePool: { total: number; idle: number; waiting: number };
  wsConnections: number;
}

export interface SystemPoint {
  at: Date;
  /** Summed over instances. */
  rssBytes: number;
  heapUsedBytes: number;
  /** Highest of the instances. */
  eventLoopP99Ms: number;
  cpuPercent: number;
  wsConnections: number;
  queueDepth: number;
}

export interface SystemResult {
  windowS: number;
  /** Every instance that reported in the last 15 s. */
  instances: InstanceSystem[];
  queue: { queued: number; running: number; oldestQueuedS: number | null };
  /** Disk use of FILES_DIR when files are kept on disk; null with the PostgreSQL driver. */
  disk: { dir: string; usedBytes: number; files: number } | null;
  series: SystemPoint[];
}

/** One figure of a feature's usage (its module's `usage` hook). */
export interface UsageFigure {
  key: string;
  label: string;
  value: number;
  unit: "count" | "bytes" | "tokens";
  /** Its parts, when it has some (jobs by status, files by kind). */
  breakdown?: { key: string; label: string; value: number }[];
}

export interface UsageSection {
  feature: string;
  title: string;
  figures: UsageFigure[];
}

export interface SummaryResult {
  /** An admin sees the platform; anyone else, their own usage. */
  scope: "platform" | "mine";
  since: Date;
  /** Platform only. */
  users: { total: number; active24h: number } | null;
  requests: { total24h: number; errors24h: number; errorRate: number };
  /** One per feature that measures its use, in the feature list's order. */
  sections: UsageSection[];
}

export const ALERT_RULES = ["errorRate", "p95", "heap", "eventLoop"] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

export interface AlertView {
  id: string;
  instance: string;
  rule: AlertRule;
  value: number;
  threshold: number;
  message: string;
  raisedAt: Date;
  clearedAt: Date | null;
}

/** One second of the whole platform, merged from every instance's last tick: what `analytics.live` yields. */
export interface LiveSnapshot {
  at: Date;
  instances: number;
  requestsPerS: number;
  errorRate: number;
  /** Over the last 10 seconds. */
  p50: number;
  p95: number;
  p99: number;
  rssBytes: number;
  heapUsedBytes: number;
  cpuPercent: number;
  eventLoopP99Ms: number;
  wsConnections: number;
  queueDepth: number;
  /** Alerts that hold now, on any instance. */
  alerts: AlertView[];
}
