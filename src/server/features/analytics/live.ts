/**
 * The platform as it is now, across instances. Every instance publishes a tick each second on the
 * bus — always, watched or not: one small NOTIFY per instance per second is cheaper than keeping
 * track of who watches where. A tick holds its last 10 s (counts and the histogram of every
 * call), its system sample and its alerts; each instance keeps the latest tick of every
 * instance, and `analytics.live` and `analytics.system` merge them.
 *
 * pg_notify refuses payloads of 8000 bytes or more: a tick whose histogram would not fit is sent
 * without it, with the instance's own percentiles instead (merged as the highest of those).
 */
import { z } from "zod";
import type { App } from "@/server/app";
import { decodeHistogram, encodeHistogram, percentilesMs, type Histogram } from "@/server/metrics/measurements";
import { ALERT_RULES, type AlertView, type InstanceSystem, type LiveSnapshot } from "@/shared/analytics";
import type { Alerts } from "./alerts.js";

export const TICKS_CHANNEL = "analytics_ticks";
export const TICK_MS = 1_000;
/** What `recent()` a tick carries. */
const TICK_WINDOW_S = 10;
/** Under pg_notify's 8000-byte limit, with room for the channel name. */
const MAX_PAYLOAD_BYTES = 7_800;
/** A tick older than this is not part of the live snapshot (its instance is lagging or gone). */
const LIVE_FRESH_MS = 5_000;

const date = z.iso.datetime().transform((value) => new Date(value));
const tickSchema = z.object({
  instance: z.string().min(1).max(200),
  at: date,
  count: z.number().int().min(0),
  errors: z.number().int().min(0),
  clientErrors: z.number().int().min(0),
  histogram: z.string().max(MAX_PAYLOAD_BYTES).nullable(),
  p: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }),
  queueDepth: z.number(),
  system: z.looseObject({ at: date, instance: z.string() }).transform((value) => value as unknown as InstanceSystem),
  alerts: z.array(z.looseObject({ raisedAt: date, clearedAt: z.null(), rule: z.enum(ALERT_RULES) }).transform((value) => value as unknown as AlertView)),
});
export type Tick = z.infer<typeof tickSchema>;

export function createLiveTicks(app: App, alerts: Alerts) {
  const latest = new Map<string, { tick: Tick; receivedAt: number }>();
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let cached: { at: number; snapshot: LiveSnapshot } | undefined;

  function receive(payload: string): void {
    try {
      const tick = tickSchema.parse(JSON.parse(payload));
      latest.set(tick.instance, { tick, receivedAt: Date.now() });
    } catch (err) {
      app.log.debug({ err }, "ignored a malformed analytics tick");
    }
  }

  function ownTick(): { tick: Tick; payload: string } {
    const recent = app.measurements.recent(TICK_WINDOW_S);
    const own = recent.histogram && recent.count ? percentilesMs(recent.histogram) : { p50: 0, p95: 0, p99: 0 };
    const tick: Tick = {
      instance: app.instanceId,
      at: new Date(),
      count: recent.count,
      errors: recent.errors,
      clientErrors: recent.clientErrors,
      histogram: recent.histogram && recent.count ? encodeHistogram(recent.histogram).toString("base64") : null,
      p: { p50: own.p50, p95: own.p95, p99: own.p99 },
      queueDepth: app.measurements.queueDepth(),
      system: app.measurements.system(),
      alerts: alerts.active(),
    };
    let payload = JSON.stringify(tick);
    if (Buffer.byteLength(payload) >= MAX_PAYLOAD_BYTES) {
      tick.histogram = null;
      payload = JSON.stringify(tick);
    }
    return { tick, payload };
  }

  async function beat(): Promise<void> {
    await alerts.evaluate();
    const { tick, payload } = ownTick();
    // Known here at once; the bus's copy (every instance gets its own notifications too) replaces it.
    latest.set(tick.instance, { tick, receivedAt: Date.now() });
    await app.bus.publish(TICKS_CHANNEL, payload).catch((err: unknown) => app.databaseAvailability.report(err));
  }

  function fresh(maxAgeMs: number): Tick[] {
    const now = Date.now();
    return [...latest.values()].filter((entry) => now - entry.receivedAt <= maxAgeMs).map((entry) => entry.tick);
  }

  function merge(ticks: Tick[]): LiveSnapshot {
    const sum = (of: (tick: Tick) => number) => ticks.reduce((total, tick) => total + of(tick), 0);
    const max = (of: (tick: Tick) => number) => ticks.reduce((highest, tick) => Math.max(highest, of(tick)), 0);
    const count = sum((t) => t.count);
    const busy = ticks.filter((t) => t.count > 0);
    let percentiles = { p50: max((t) => t.p.p50), p95: max((t) => t.p.p95), p99: max((t) => t.p.p99) };
    if (busy.length && busy.every((t) => t.histogram !== null)) {
      let merged: Histogram | undefined;
      for (const tick of busy) {
        const decoded = decodeHistogram(Buffer.from(tick.histogram!, "base64"));
        if (!merged) merged = decoded;
        else {
          merged.add(decoded);
          decoded.destroy();
        }
      }
      const p = percentilesMs(merged!);
      merged!.destroy();
      percentiles = { p50: p.p50, p95: p.p95, p99: p.p99 };
    }
    return {
      at: new Date(),
      instances: ticks.length,
      requestsPerS: Math.round((count / TICK_WINDOW_S) * 10) / 10,
      errorRate: count ? sum((t) => t.errors) / count : 0,
      ...percentiles,
      rssBytes: sum((t) => t.system.rssBytes),
      heapUsedBytes: sum((t) => t.system.heapUsedBytes),
      cpuPercent: Math.round(sum((t) => t.system.cpuPercent) * 10) / 10,
      eventLoopP99Ms: max((t) => t.system.eventLoopP99Ms),
      wsConnections: sum((t) => t.system.wsConnections),
      // The queue is shared: every instance sees the same depth.
      queueDepth: max((t) => t.queueDepth),
      alerts: ticks.flatMap((t) => t.alerts).sort((a, b) => a.raisedAt.getTime() - b.raisedAt.getTime()),
    };
  }

  return {
    async start(): Promise<void> {
      unsubscribe = await app.bus.subscribe(TICKS_CHANNEL, receive);
      timer = setInterval(() => void beat(), TICK_MS);
      timer.unref();
    },

    /** The merged snapshot; one per second for every watcher of this instance. */
    snapshot(): LiveSnapshot {
      const now = Date.now();
      if (!cached || now - cached.at >= TICK_MS / 2) cached = { at: now, snapshot: merge(fresh(LIVE_FRESH_MS)) };
      return cached.snapshot;
    },

    /** Each instance's latest system sample, of those heard from within `maxAgeMs`. */
    instances(maxAgeMs: number): InstanceSystem[] {
      return fresh(maxAgeMs)
        .map((tick) => tick.system)
        .sort((a, b) => a.instance.localeCompare(b.instance));
    },

    /** Instances heard from within `maxAgeMs` (the stale-alert sweep spares them). */
    alive(maxAgeMs: number): string[] {
      return fresh(maxAgeMs).map((tick) => tick.instance);
    },

    async stop(): Promise<void> {
      clearInterval(timer);
      unsubscribe?.();
    },
  };
}

export type LiveTicks = ReturnType<typeof createLiveTicks>;
