/**
 * Alert rules, evaluated on each instance every second from its own measurements: error rate and
 * p95 over the last 60 s (ALERT_WINDOW_S) (only from 20 calls on: three slow calls in a quiet minute are not an
 * incident), heap used, event-loop p99. Crossing a line writes an Alert row, logs a warning and
 * announces it on the bus; the alert clears once the figure has stayed back under the line for
 * `clearAfterS` (so a figure hovering at the line does not flap), logged and announced again.
 * An instance clears its own open alerts when it stops; the stale sweep clears those of an
 * instance that died without stopping.
 */
import type { App } from "@/server/app";
import { percentilesMs } from "@/server/metrics/measurements";
import { ALERT_RULES, type AlertRule, type AlertView } from "@/shared/analytics";

/** Announced on raise and on clear: `{ id, instance, rule, state }`. */
export const ALERTS_CHANNEL = "analytics_alerts";
/** Rates and percentiles only mean something over this many calls. */
export const MIN_CALLS = 20;

interface Reading {
  /** null: not enough to judge (counts as under the line). */
  value: number | null;
  threshold: number;
  message: (value: number) => string;
}

interface RuleState {
  view: AlertView | null;
  /** Since when the figure has been back under the line, while the alert holds. */
  underSince: number | null;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export function createAlerts(app: App) {
  const { config, log, measurements } = app;
  const states = new Map<AlertRule, RuleState>(ALERT_RULES.map((rule) => [rule, { view: null, underSince: null }]));
  let evaluating = false;

  function readings(): Record<AlertRule, Reading> {
    const limits = config.alerts;
    const windowS = limits.windowS;
    const over = windowS === 60 ? "the last minute" : `the last ${windowS} s`;
    const recent = measurements.recent(windowS);
    const enough = recent.count >= MIN_CALLS;
    const p95 = enough && recent.histogram ? percentilesMs(recent.histogram).p95 : null;
    const system = measurements.system();
    return {
      errorRate: {
        value: enough ? recent.errors / recent.count : null,
        threshold: limits.errorRate,
        message: (v) => `Error rate ${round(v * 100)} % over ${over} (${recent.errors} of ${recent.count} calls) is above ${round(limits.errorRate * 100)} %`,
      },
      p95: { value: p95, threshold: limits.p95Ms, message: (v) => `p95 latency ${round(v)} ms over ${over} is above ${limits.p95Ms} ms` },
      heap: { value: system.heapUsedBytes / 2 ** 20, threshold: limits.heapMb, message: (v) => `Heap used ${round(v)} MB is above ${limits.heapMb} MB` },
      eventLoop: { value: system.eventLoopP99Ms, threshold: limits.eventLoopMs, message: (v) => `Event-loop delay p99 ${round(v)} ms is above ${limits.eventLoopMs} ms` },
    };
  }

  const announce = (id: string, instance: string, rule: string, state: "raised" | "cleared") =>
    void app.bus.publish(ALERTS_CHANNEL, JSON.stringify({ id, instance, rule, state })).catch(() => undefined);

  async function raise(rule: AlertRule, value: number, reading: Reading): Promise<AlertView> {
    const message = reading.message(value);
    const { rows } = await app.pool.query<{ id: string; raisedAt: Date }>(
      `INSERT INTO "Alert" (instance, rule, value, threshold, message) VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id, "raisedAt"`,
      [app.instanceId, rule, value, reading.threshold, message],
    );
    const view: AlertView = { id: rows[0]!.id, instance: app.instanceId, rule, value, threshold: reading.threshold, message, raisedAt: rows[0]!.raisedAt, clearedAt: null };
    log.warn({ alert: rule, value: round(value, 3), threshold: reading.threshold, alertId: view.id }, `alert raised: ${message}`);
    announce(view.id, view.instance, rule, "raised");
    return view;
  }

  async function clear(view: AlertView, why: string): Promise<void> {
    await app.pool.query(`UPDATE "Alert" SET "clearedAt" = now() WHERE id = $1 AND "clearedAt" IS NULL`, [view.id]);
    log.info({ alert: view.rule, alertId: view.id, instance: view.instance }, `alert cleared: ${view.rule} (${why})`);
    announce(view.id, view.instance, view.rule, "cleared");
  }

  return {
    /** One round: raise what crossed its line, clear what has stayed under it long enough. A database failure waits for the next round. */
    async evaluate(now = Date.now()): Promise<void> {
      if (evaluating) return;
      evaluating = true;
      try {
        const current = readings();
        for (const rule of ALERT_RULES) {
          const state = states.get(rule)!;
          const reading = current[rule];
          const over = reading.value !== null && reading.value > reading.threshold;
          if (over) {
            state.underSince = null;
            if (state.view) state.view.value = reading.value!;
            else state.view = await raise(rule, reading.value!, reading);
            continue;
          }
          if (!state.view) continue;
          state.underSince ??= now;
          if (now - state.underSince < config.alerts.clearAfterS * 1000) continue;
          await clear(state.view, `back under ${reading.threshold} for ${config.alerts.clearAfterS} s`);
          state.view = null;
          state.underSince = null;
        }
      } catch (err) {
        if (!app.databaseAvailability.report(err)) log.warn({ err }, "could not record an alert");
      } finally {
        evaluating = false;
      }
    },

    /** This instance's alerts that hold now. */
    active(): AlertView[] {
      return ALERT_RULES.flatMap((rule) => {
        const view = states.get(rule)!.view;
        return view ? [{ ...view }] : [];
      });
    },

    /**
     * Clears the open alerts of instances that are gone: not this one, not one heard from
     * recently (`alive`), and raised long enough ago that a live instance would have been heard.
     */
    async sweepStale(alive: Iterable<string>, olderThanMs: number): Promise<number> {
      const { rows } = await app.pool.query<{ id: string; instance: string; rule: string }>(
        `UPDATE "Alert" SET "clearedAt" = now()
         WHERE "clearedAt" IS NULL AND NOT (instance = ANY($1::text[])) AND "raisedAt" < now() - make_interval(secs => $2)
         RETURNING id::text AS id, instance, rule`,
        [[app.instanceId, ...alive], olderThanMs / 1000],
      );
      for (const row of rows) {
        log.info({ alert: row.rule, alertId: row.id, instance: row.instance }, `alert cleared: ${row.rule} (instance ${row.instance} stopped reporting)`);
        announce(row.id, row.instance, row.rule, "cleared");
      }
      return rows.length;
    },

    /** The stop hook: this instance's alerts end with it. */
    async stop(): Promise<void> {
      for (const rule of ALERT_RULES) {
        const state = states.get(rule)!;
        if (!state.view) continue;
        await clear(state.view, "the instance stopped").catch((err: unknown) => log.warn({ err }, "could not clear an alert on shutdown"));
        state.view = null;
      }
    },
  };
}

export type Alerts = ReturnType<typeof createAlerts>;
