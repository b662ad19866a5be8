/**
 * Analytics: what the measurements (src/server/metrics) stored, read back for people — put
 * together from its parts:
 *   performance.ts  per-route percentiles and the traffic series (MetricMinute / MetricHour)
 *   requests.ts     the request log
 *   errors.ts       error groups
 *   system.ts       instances, queue, disk, resource history
 *   live.ts         every instance's tick each second, merged into the live snapshot
 *   alerts.ts       alert rules, raised and cleared per instance
 * Usage figures come from the other features' `usage` hooks (app.usage).
 */
import type { App } from "@/server/app";
import { snapshotStream } from "@/server/bus/live";
import { forbidden } from "@/server/errors";
import type { Caller } from "@/server/features/auth/service";
import { ALL_ROUTES, type SummaryResult, type UsageSection } from "@/shared/analytics";
import { createAlerts } from "./alerts.js";
import { errorGroups, userErrorGroups } from "./errors.js";
import { createLiveTicks, TICK_MS } from "./live.js";
import { performance } from "./performance.js";
import { requests } from "./requests.js";
import type { ErrorsInput, PerformanceInput, RequestsInput, SystemInput } from "./schemas.js";
import { createSystem } from "./system.js";

const DAY_MS = 24 * 60 * 60 * 1000;

const isAdmin = (caller: Caller) => caller.user.role === "ADMIN";

export function createAnalyticsService(app: App) {
  /** Tunables; tests may lower them. */
  const settings = {
    /** An instance silent this long is gone: its open alerts are cleared by the sweep. */
    staleAfterMs: 60_000,
    sweepEveryMs: 10_000,
  };
  const alerts = createAlerts(app);
  const ticks = createLiveTicks(app, alerts);
  const system = createSystem(app, ticks);
  let sweepTimer: NodeJS.Timeout | undefined;

  async function sweepStaleAlerts(): Promise<number> {
    // Until this instance has listened that long, a silent instance may just be one it has not heard yet.
    if (Date.now() - app.startedAt < settings.staleAfterMs) return 0;
    return alerts.sweepStale(ticks.alive(settings.staleAfterMs), settings.staleAfterMs);
  }

  async function sections(userId: string | null, since: Date): Promise<UsageSection[]> {
    const results = await Promise.all(
      [...app.usage].map(([feature, usage]) =>
        usage({ userId, since }).catch((err: unknown) => {
          app.log.warn({ err, feature }, "a feature's usage figures failed");
          return null;
        }),
      ),
    );
    return results.filter((section) => section !== null);
  }

  async function requestTotals(userId: string | null, since: Date): Promise<SummaryResult["requests"]> {
    await app.measurements.flush();
    const { rows } =
      userId === null
        ? await app.pool.query<{ total: number; errors: number }>(
            `SELECT coalesce(sum(count), 0)::float8 AS total, coalesce(sum(errors), 0)::float8 AS errors FROM "MetricMinute" WHERE route = $1 AND minute >= $2`,
            [ALL_ROUTES, since],
          )
        : // The request log samples successes past a rate (errors are always kept): a person's own count is at most what was kept.
          await app.pool.query<{ total: number; errors: number }>(
            `SELECT count(*)::float8 AS total, count(*) FILTER (WHERE status >= 500)::float8 AS errors FROM "RequestLog" WHERE "userId" = $1 AND at >= $2`,
            [userId, since],
          );
    const { total, errors } = rows[0]!;
    return { total24h: total, errors24h: errors, errorRate: total ? errors / total : 0 };
  }

  return {
    settings,

    async summary(caller: Caller, now = new Date()): Promise<SummaryResult> {
      const since = new Date(now.getTime() - DAY_MS);
      const platform = isAdmin(caller);
      const userId = platform ? null : caller.user.id;
      const [requestFigures, usage] = await Promise.all([requestTotals(userId, since), sections(userId, since)]);
      const accounts = usage.find((section) => section.feature === "users")?.figures;
      const figure = (key: string) => accounts?.find((f) => f.key === key)?.value ?? 0;
      return {
        scope: platform ? "platform" : "mine",
        since,
        users: platform ? { total: figure("accounts"), active24h: figure("active24h") } : null,
        requests: requestFigures,
        sections: usage,
      };
    },

    performance: (input: PerformanceInput) => performance(app, input),

    /** Admins read every request; anyone else only their own (another user's id is refused). */
    requests(caller: Caller, input: RequestsInput) {
      if (isAdmin(caller)) return requests(app, input);
      if (input.userId && input.userId !== caller.user.id) throw forbidden("You can only see your own requests.");
      return requests(app, { ...input, userId: caller.user.id });
    },

    errors: (caller: Caller, input: ErrorsInput) => (isAdmin(caller) ? errorGroups(app, input) : userErrorGroups(app, caller.user.id, input)),

    system: (input: SystemInput) => system.system(input),

    /** The merged snapshot now, then every second: what `analytics.live` streams. */
    live: () => snapshotStream(TICK_MS, async () => ticks.snapshot()),

    sweepStaleAlerts,

    async start(): Promise<void> {
      await ticks.start();
      sweepTimer = setInterval(() => void sweepStaleAlerts().catch((err: unknown) => app.databaseAvailability.report(err) || app.log.warn({ err }, "the stale alert sweep failed")), settings.sweepEveryMs);
      sweepTimer.unref();
    },

    async stop(): Promise<void> {
      clearInterval(sweepTimer);
      await ticks.stop();
      await alerts.stop();
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
