import { monitorEventLoopDelay } from "node:perf_hooks";
import v8 from "node:v8";
import type { App } from "@/server/app";
import { snapshotStream } from "@/server/bus/live";
import { pendingMigrations } from "@/server/db/migrate";
import { type Check, type CheckStatus, grade } from "@/server/metrics/checks";

export type { Check, CheckStatus };
export interface HealthSnapshot {
  status: CheckStatus;
  score: number;
  /** The core's checks, then those the features add (their modules' `checks`), named "feature.check". */
  checks: { database: Check; migrations: Check; eventLoop: Check; heap: Check; websockets: Check; errorRate: Check } & {
    [featureCheck: `${string}.${string}`]: Check;
  };
  uptimeS: number;
  version: string;
  instance: string;
  at: Date;
}

/** Thresholds: [degraded at, unhealthy at]. */
const DATABASE_MS = [100, 1000] as const;
const EVENT_LOOP_MS = [100, 500] as const;
const HEAP_FRACTION = [0.8, 0.95] as const;
const WEBSOCKETS = [5_000, 20_000] as const;
/** A snapshot is shared by every caller for this long, so many watchers cost one database round-trip. */
const SNAPSHOT_TTL_MS = 1_000;
/** How often `health.live` sends a snapshot. */
export const LIVE_INTERVAL_MS = 2_000;

/** 100, −2 per 1 % of errors (at most −30), −20 per unhealthy check, −10 per degraded one. */
export function healthScore(errorRate: number, statuses: CheckStatus[]): { score: number; status: CheckStatus } {
  let score = 100 - Math.min(30, Math.floor(errorRate * 100) * 2);
  for (const status of statuses) score -= status === "unhealthy" ? 20 : status === "degraded" ? 10 : 0;
  score = Math.max(0, score);
  return { score, status: score >= 90 ? "ok" : score >= 50 ? "degraded" : "unhealthy" };
}

export function createHealthService(app: App) {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  let cached: { at: number; snapshot: Promise<HealthSnapshot> } | undefined;

  async function checkDatabase(): Promise<Check> {
    const started = performance.now();
    try {
      await app.pool.query("SELECT 1");
      const ms = Math.round((performance.now() - started) * 10) / 10;
      return { status: grade(ms, DATABASE_MS), detail: `round-trip ${ms} ms`, value: ms };
    } catch (error) {
      return { status: "unhealthy", detail: `unreachable: ${(error as Error).message}` };
    }
  }

  async function checkMigrations(): Promise<Check> {
    const pending = await pendingMigrations(async (sql) => (await app.pool.query<{ migration_name: string }>(sql)).rows);
    return pending.length
      ? { status: "unhealthy", detail: `${pending.length} pending: ${pending.join(", ")}`, value: pending.length }
      : { status: "ok", detail: "all applied", value: 0 };
  }

  function checkEventLoop(): Check {
    const p99 = Math.round(loopDelay.percentile(99) / 1e5) / 10;
    loopDelay.reset();
    return { status: grade(p99, EVENT_LOOP_MS), detail: `p99 delay ${p99} ms`, value: p99 };
  }

  function checkHeap(): Check {
    const { used_heap_size, heap_size_limit } = v8.getHeapStatistics();
    const fraction = used_heap_size / heap_size_limit;
    return {
      status: grade(fraction, HEAP_FRACTION),
      detail: `${Math.round(used_heap_size / 2 ** 20)} MiB of ${Math.round(heap_size_limit / 2 ** 20)} MiB`,
      value: Math.round(fraction * 1000) / 10,
    };
  }

  function checkWebsockets(): Check {
    const open = app.connections.open;
    return { status: grade(open, WEBSOCKETS), detail: `${open} open`, value: open };
  }

  async function compute(): Promise<HealthSnapshot> {
    const [database, migrations] = await Promise.all([checkDatabase(), checkMigrations()]);
    const recent = app.measurements.errorRate();
    const checks: Record<string, Check> = { database, migrations, eventLoop: checkEventLoop(), heap: checkHeap(), websockets: checkWebsockets() };
    await Promise.all(
      [...app.checks].map(async ([name, check]) => {
        checks[name] = await Promise.resolve()
          .then(check)
          .catch((error: unknown) => ({ status: "unhealthy" as const, detail: `check failed: ${(error as Error).message}` }));
      }),
    );
    const { score, status } = healthScore(recent.rate, Object.values(checks).map((c) => c.status));
    const errorRate: Check = {
      status: recent.rate >= 0.05 ? "degraded" : "ok",
      detail: `${recent.errors} server errors in ${recent.total} requests (5 min)`,
      value: Math.round(recent.rate * 1000) / 10,
    };
    return {
      status,
      score,
      checks: { ...(checks as Omit<HealthSnapshot["checks"], "errorRate">), errorRate } as HealthSnapshot["checks"],
      uptimeS: Math.round((Date.now() - app.startedAt) / 1000),
      version: app.config.version,
      instance: app.instanceId,
      at: new Date(),
    };
  }

  const service = {
    /** Measures the event loop's delay from now on (the module's start hook). */
    start() {
      loopDelay.enable();
    },
    snapshot(): Promise<HealthSnapshot> {
      const now = Date.now();
      if (!cached || now - cached.at >= SNAPSHOT_TTL_MS) cached = { at: now, snapshot: compute() };
      return cached.snapshot;
    },
    async ready(): Promise<{ ready: boolean; detail: string }> {
      const [database, migrations] = await Promise.all([checkDatabase(), checkMigrations()]);
      if (database.status === "unhealthy") return { ready: false, detail: `database ${database.detail}` };
      if (migrations.status !== "ok") return { ready: false, detail: `migrations ${migrations.detail}` };
      return { ready: true, detail: "database reachable, migrations applied" };
    },
    /** A snapshot now, then every two seconds: what `health.live` streams. */
    live: () => snapshotStream(LIVE_INTERVAL_MS, () => service.snapshot()),
    stop() {
      loopDelay.disable();
    },
  };
  return service;
}

export type HealthService = ReturnType<typeof createHealthService>;
