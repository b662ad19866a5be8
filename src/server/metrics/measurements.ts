/**
 * What this instance measures of its own traffic and resources, and how it reaches PostgreSQL.
 *
 * The transport reports each finished call (`record`: synchronous, cheap, never throws); per
 * minute and route it keeps counts and an HDR histogram, plus a per-second ring for the last
 * minutes (`recent`, `errorRate`). Every flush (ANALYTICS_FLUSH_MS) writes the minutes changed
 * since the last one (whole-minute upserts: writing one twice is harmless), the request log
 * (sampled, in one insert), the error groups and the system minute. While the database cannot
 * be reached a flush keeps its data (bounded) and the next one writes it.
 *
 * This class only orchestrates: what is held between flushes lives in route-minutes.ts,
 * request-log.ts, error-groups.ts and system-minutes.ts, each owning its own bounds. Here are the
 * hot path feeding them, the timers, the flush that takes from each and hands back what could
 * not be written, and the hourly maintenance.
 */
import type pg from "pg";
import type { DatabaseAvailability } from "@/server/db/availability";
import type { Logger } from "@/server/log";
import type { InstanceSystem } from "@/shared/analytics";
import type { CallRecord } from "./call.js";
import type { ConnectionCount } from "./connections.js";
import { ErrorGroups } from "./error-groups.js";
import { toMicros, type Histogram, type percentilesMs } from "./histogram.js";
import { RequestLog } from "./request-log.js";
import { CLIENT_ERROR, OK, SERVER_ERROR, SecondRing, type CallKind } from "./ring.js";
import { MINUTE_MS, RouteMinutes } from "./route-minutes.js";
import { insertLog, rollUpHours, sweepRetention, upsertErrors, upsertMinutes, upsertSystem } from "./store.js";
import { SystemMinutes } from "./system-minutes.js";
import { SystemSampler } from "./system.js";

export type { CallRecord } from "./call.js";
export { decodeHistogram, encodeHistogram, mergeHistograms, newHistogram, percentilesMs, type Histogram, type Percentiles } from "./histogram.js";

export interface MeasurementsDeps {
  pool: pg.Pool;
  log: Logger;
  instanceId: string;
  availability: DatabaseAvailability;
  queueDepth: () => Promise<number>;
  connections: ConnectionCount;
  enabled: boolean;
  filesDir?: string;
  /** ANALYTICS_FLUSH_MS (default 5 s). */
  flushMs?: number;
  /** ANALYTICS_LOG_PER_S: successful calls logged per second at most (errors always are). */
  logPerS?: number;
  /** Epoch milliseconds; tests and the benchmark drive their own clock. */
  clock?: () => number;
}

const HOUR_MS = 3_600_000;
const SAMPLE_EVERY_MS = 1_000;
const QUEUE_EVERY_MS = 5_000;
const MAINTENANCE_EVERY_MS = 60_000;
/** An hour is rolled up this long after it ends: every instance has flushed it by then. */
const ROLLUP_SETTLE_MS = 2 * MINUTE_MS;
const RETENTION_EVERY_MS = 10 * MINUTE_MS;
const WARN_EVERY_MS = MINUTE_MS;

/** One per running instance (tests run several in one process). */
export class Measurements {
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private readonly instanceId: string;
  private readonly availability: DatabaseAvailability;
  private readonly readQueueDepth: () => Promise<number>;
  private readonly enabled: boolean;
  private readonly flushMs: number;
  private readonly clock: () => number;
  private readonly sampler: SystemSampler;
  private readonly ring = new SecondRing();

  private readonly routeMinutes = new RouteMinutes();
  private readonly requestLog: RequestLog;
  private readonly errorGroups = new ErrorGroups();
  private readonly systemMinutes = new SystemMinutes();
  private lastDropWarning = 0;

  private latest: InstanceSystem | undefined;
  private lastQueueDepth = 0;

  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private lastRollupHour = -1;
  private lastRetentionAt = -Infinity;
  private maintaining = false;
  private started = false;

  constructor(deps: MeasurementsDeps) {
    this.pool = deps.pool;
    this.log = deps.log;
    this.instanceId = deps.instanceId;
    this.availability = deps.availability;
    this.readQueueDepth = deps.queueDepth;
    this.enabled = deps.enabled;
    this.flushMs = deps.flushMs ?? 5_000;
    this.requestLog = new RequestLog(deps.logPerS ?? 200);
    this.clock = deps.clock ?? Date.now;
    this.sampler = new SystemSampler(deps.instanceId, deps.pool, deps.connections);
  }

  // ── The hot path ──────────────────────────────────────────────────────────────────────

  /** One finished call: counted in its route's minute and in `*`, logged (sampled), its error grouped. No await, no throw. */
  record(call: CallRecord): void {
    if (!this.enabled) return;
    const now = this.clock();
    const us = toMicros(call.durationMs);
    const status = call.status;
    const kind: CallKind = status >= 500 ? SERVER_ERROR : status >= 400 ? CLIENT_ERROR : OK;

    this.routeMinutes.add(now, call.route, us, call.durationMs, kind);
    this.ring.add(now, us, kind);
    this.requestLog.add(call, now, kind);
    if (kind !== OK) this.errorGroups.add(call, now, kind);
  }

  // ── Reading this instance ─────────────────────────────────────────────────────────────

  /** This instance over the last `seconds` (1..300): counts; histogram (of every call, µs) only when seconds <= 60. */
  recent(seconds: number): { count: number; errors: number; clientErrors: number; histogram: Histogram | null } {
    const now = this.clock();
    const counts = this.ring.read(now, seconds);
    return { ...counts, histogram: seconds <= this.ring.histogramSeconds ? this.ring.histogram(now, seconds) : null };
  }

  /** Fraction of server failures over the last 5 min (what /health's errorRate shows). */
  errorRate(): { rate: number; total: number; errors: number } {
    const { count, errors } = this.ring.read(this.clock(), this.ring.countSeconds);
    return { rate: count ? errors / count : 0, total: count, errors };
  }

  /** The latest system sample of this instance (taken each second; taken now if there is none yet). */
  system(): InstanceSystem {
    return (this.latest ??= this.sampler.sample(this.clock()));
  }

  /** Last sampled queue depth. */
  queueDepth(): number {
    return this.lastQueueDepth;
  }

  /** Percentiles of this instance's current minute for a route (tests and the benchmark). */
  currentMinute(route: string): ({ count: number; errors: number; clientErrors: number } & ReturnType<typeof percentilesMs>) | undefined {
    return this.routeMinutes.at(this.clock(), route);
  }

  /** Minutes and routes held in memory now (the benchmark's memory figure reads it). */
  held(): { minutes: number; routes: number } {
    return this.routeMinutes.held();
  }

  // ── Timers ────────────────────────────────────────────────────────────────────────────

  /** Flush every ANALYTICS_FLUSH_MS, a system sample every second (queue depth every 5 s), the hourly rollup and the retention sweep. */
  start(): void {
    if (this.started || !this.enabled) return;
    this.started = true;
    this.sampler.start();
    const every = (ms: number, work: () => void) => this.timers.push(setInterval(work, ms).unref());
    every(SAMPLE_EVERY_MS, () => this.sample());
    every(QUEUE_EVERY_MS, () => void this.sampleQueue());
    every(this.flushMs, () => void this.flush());
    every(MAINTENANCE_EVERY_MS, () => void this.maintain());
    void this.sampleQueue();
    this.sample();
  }

  /** Last flush, timers cleared. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.started) {
      this.sample();
      this.sampler.stop();
    }
    this.started = false;
    if (this.enabled) await this.flush();
  }

  /** One system sample: kept as the latest, and as its minute's (the delay's peak over the minute). */
  sample(): InstanceSystem {
    const now = this.clock();
    const sample = this.sampler.sample(now);
    this.latest = sample;
    this.systemMinutes.add(now, sample, this.lastQueueDepth);
    return sample;
  }

  private async sampleQueue(): Promise<void> {
    try {
      this.lastQueueDepth = await this.readQueueDepth();
    } catch (error) {
      // The flush reports an unreachable database; anything else is worth a line.
      if (!this.availability.report(error)) this.log.warn({ err: error }, "measurements: could not read the queue depth");
    }
  }

  // ── Writing ───────────────────────────────────────────────────────────────────────────

  /** Writes now what is not written yet. Never rejects: a failure is reported, and the data kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    const now = this.clock();
    const currentStart = now - (now % MINUTE_MS);
    this.dropOldMinutes();

    // Taken before the first await: what is recorded meanwhile is held again, for the next flush.
    const minutes = this.routeMinutes.take();
    const logRows = this.requestLog.take();
    const errorRows = this.errorGroups.take();
    const system = this.systemMinutes.take();

    let step = 0;
    try {
      await upsertMinutes(this.pool, this.instanceId, minutes.rows);
      step = 1;
      await insertLog(this.pool, this.instanceId, logRows);
      step = 2;
      await upsertErrors(this.pool, errorRows);
      step = 3;
      await upsertSystem(this.pool, this.instanceId, system.rows);
      step = 4;
    } catch (error) {
      if (this.availability.report(error)) {
        // Unreachable: keep what was not written, for the next flush.
        if (step < 1) this.routeMinutes.restore(minutes);
        if (step < 2) this.requestLog.restore(logRows);
        if (step < 3) this.errorGroups.restore(errorRows);
        if (step < 4) this.systemMinutes.restore(system);
      } else {
        // Anything else would fail again: log it and let that batch go.
        this.log.error({ err: error, step }, "measurements: flush failed");
      }
    }

    this.routeMinutes.prune(currentStart);
    this.systemMinutes.prune(currentStart);
    this.warnDropped(now);
  }

  private dropOldMinutes(): void {
    const dropped = this.routeMinutes.dropOld();
    if (dropped === 0) return;
    this.log.warn({ dropped }, "measurements: minutes not written for an hour were dropped");
    this.systemMinutes.dropOld();
  }

  /** One line for both buffers, at most once a minute: a long outage must not flood the log about itself. */
  private warnDropped(now: number): void {
    const log = this.requestLog;
    const errors = this.errorGroups;
    if ((log.dropped === 0 && errors.dropped === 0) || now - this.lastDropWarning < WARN_EVERY_MS) return;
    this.lastDropWarning = now;
    this.log.warn({ logRows: log.dropped, errors: errors.dropped, sampledOut: log.sampledOut }, "measurements: buffers full, request-log rows or errors dropped");
    log.dropped = 0;
    errors.dropped = 0;
  }

  // ── Hourly rollup and retention ───────────────────────────────────────────────────────

  /** Rolls up the completed hours once per hour and sweeps old rows every 10 minutes (whichever instance takes the lock). */
  async maintain(): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    const now = this.clock();
    try {
      const hour = Math.floor((now - ROLLUP_SETTLE_MS) / HOUR_MS);
      if (hour !== this.lastRollupHour) {
        await rollUpHours(this.pool, now, ROLLUP_SETTLE_MS);
        this.lastRollupHour = hour;
      }
      if (now - this.lastRetentionAt >= RETENTION_EVERY_MS) {
        await sweepRetention(this.pool, now);
        this.lastRetentionAt = now;
      }
    } catch (error) {
      if (!this.availability.report(error)) this.log.error({ err: error }, "measurements: rollup or retention failed");
    } finally {
      this.maintaining = false;
    }
  }
}
