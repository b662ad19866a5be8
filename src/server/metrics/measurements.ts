/**
 * What this instance measures of its own traffic and resources, and how it reaches PostgreSQL.
 *
 * The transport reports each finished call (`record`: synchronous, cheap, never throws); per
 * minute and route it keeps counts and an HDR histogram, plus a per-second ring for the last
 * minutes (`recent`, `errorRate`). Every flush (ANALYTICS_FLUSH_MS) writes the minutes changed
 * since the last one (whole-minute upserts: writing one twice is harmless), the request log
 * (sampled, in one insert), the error groups and the system minute. While the database cannot
 * be reached a flush keeps its data (bounded) and the next one writes it.
 */
import http from "node:http";
import type pg from "pg";
import type { DatabaseAvailability } from "@/server/db/availability";
import type { Logger } from "@/server/log";
import type { InstanceSystem } from "@/shared/analytics";
import type { ConnectionCount } from "./connections.js";
import { encodeHistogram, newHistogram, percentilesMs, toMicros, type Histogram } from "./histogram.js";
import { CLIENT_ERROR, OK, SERVER_ERROR, SecondRing, type CallKind } from "./ring.js";
import { ALL, fingerprint, MAX_ROUTES_PER_MINUTE, OTHER, type ErrorKind } from "./routes.js";
import { insertLog, rollUpHours, sweepRetention, upsertErrors, upsertMinutes, upsertSystem, type ErrorRow, type LogRow, type MinuteRow, type SystemRow } from "./store.js";
import { SystemSampler } from "./system.js";

export { decodeHistogram, encodeHistogram, mergeHistograms, newHistogram, percentilesMs, type Histogram, type Percentiles } from "./histogram.js";

/** One finished HTTP request (not under /api/trpc) or one tRPC call (over HTTP or WebSocket). */
export interface CallRecord {
  /** "trpc:sessions.list" | "GET /api/files/:id/download" | "GET /health" | "GET /_next/*" | "GET page:/sessions/:id" ... */
  route: string;
  transport: "http" | "ws";
  /** HTTP method; for a tRPC call over WebSocket: "WS". */
  method: string;
  /** URL path (http) or procedure path (trpc), truncated to 300 chars. */
  path: string;
  /** HTTP status; a tRPC error code's HTTP status (getHTTPStatusCodeFromError) over WS. */
  status: number;
  /** tRPC error code of a failed call, else null. */
  code: string | null;
  durationMs: number;
  userId: string | null;
  requestId: string;
  /** For error grouping. */
  error?: { name: string; message: string; stack?: string };
}

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

interface RouteMinute {
  count: number;
  errors: number;
  clientErrors: number;
  sumMs: number;
  maxMs: number;
  histogram: Histogram;
  /** Changed since it was last written. */
  dirty: boolean;
}

interface Minute {
  start: number;
  routes: Map<string, RouteMinute>;
}

interface ErrorGroup extends Omit<ErrorRow, "fingerprint" | "firstSeen" | "lastSeen"> {
  firstSeen: number;
  lastSeen: number;
}

interface SystemMinuteState {
  sample: InstanceSystem;
  peakP99: number;
  queueDepth: number;
  dirty: boolean;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Request-log rows held between flushes (or while the database is away); beyond, rows are dropped and counted. */
const MAX_LOG_BUFFER = 10_000;
/** Error groups held between flushes; beyond, new groups are dropped and counted. */
const MAX_ERROR_GROUPS = 1_000;
/** Minutes held while they cannot be written (one hour of a database outage); older ones are dropped. */
const MAX_MINUTES_HELD = 60;
const SAMPLE_EVERY_MS = 1_000;
const QUEUE_EVERY_MS = 5_000;
const MAINTENANCE_EVERY_MS = 60_000;
/** An hour is rolled up this long after it ends: every instance has flushed it by then. */
const ROLLUP_SETTLE_MS = 2 * MINUTE_MS;
const RETENTION_EVERY_MS = 10 * MINUTE_MS;
const MAX_PATH = 300;
const MAX_MESSAGE = 1_000;
const MAX_STACK = 8_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WARN_EVERY_MS = MINUTE_MS;

/** PostgreSQL text cannot hold NUL: one such message would fail the whole batch, forever. */
const clean = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text).replaceAll("\0", "\uFFFD");

/** One per running instance (tests run several in one process). */
export class Measurements {
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private readonly instanceId: string;
  private readonly availability: DatabaseAvailability;
  private readonly readQueueDepth: () => Promise<number>;
  private readonly enabled: boolean;
  private readonly flushMs: number;
  private readonly logPerS: number;
  private readonly clock: () => number;
  private readonly sampler: SystemSampler;
  private readonly ring = new SecondRing();

  private readonly minutes = new Map<number, Minute>();
  private current: Minute | undefined;

  private logBuffer: LogRow[] = [];
  private logSecond = -1;
  private loggedThisSecond = 0;
  private droppedLogRows = 0;
  private sampledOut = 0;

  private errorGroups = new Map<string, ErrorGroup>();
  private droppedErrors = 0;
  private lastDropWarning = 0;

  private readonly systemMinutes = new Map<number, SystemMinuteState>();
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
    this.logPerS = deps.logPerS ?? 200;
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

    let minute = this.current;
    if (minute === undefined || now >= minute.start + MINUTE_MS || now < minute.start) minute = this.minuteOf(now);
    let route = minute.routes.get(call.route);
    if (route === undefined) {
      const name = minute.routes.size >= MAX_ROUTES_PER_MINUTE + 1 ? OTHER : call.route;
      route = minute.routes.get(name) ?? this.addRoute(minute, name);
    }
    add(route, us, call.durationMs, kind);
    add(minute.routes.get(ALL) ?? this.addRoute(minute, ALL), us, call.durationMs, kind);
    this.ring.add(now, us, kind);

    this.logCall(call, now, kind);
    if (kind !== OK) this.groupError(call, now, kind);
  }

  private minuteOf(now: number): Minute {
    const start = now - (now % MINUTE_MS);
    let minute = this.minutes.get(start);
    if (minute === undefined) {
      minute = { start, routes: new Map() };
      this.minutes.set(start, minute);
    }
    if (this.current === undefined || start >= this.current.start) this.current = minute;
    return minute;
  }

  private addRoute(minute: Minute, name: string): RouteMinute {
    const route: RouteMinute = { count: 0, errors: 0, clientErrors: 0, sumMs: 0, maxMs: 0, histogram: newHistogram(), dirty: true };
    minute.routes.set(name, route);
    return route;
  }

  private logCall(call: CallRecord, now: number, kind: CallKind): void {
    if (kind === OK) {
      const second = Math.floor(now / 1000);
      if (second !== this.logSecond) {
        this.logSecond = second;
        this.loggedThisSecond = 0;
      }
      if (this.loggedThisSecond >= this.logPerS) {
        this.sampledOut++;
        return;
      }
      this.loggedThisSecond++;
    }
    if (this.logBuffer.length >= MAX_LOG_BUFFER) {
      this.droppedLogRows++;
      return;
    }
    const userId = call.userId !== null && UUID.test(call.userId) ? call.userId : null;
    // A procedure path is decoded from the URL: it can hold anything, NUL included.
    let path = call.path;
    if (path.length > MAX_PATH || path.includes("\0")) path = clean(path, MAX_PATH);
    this.logBuffer.push({
      at: new Date(now),
      requestId: call.requestId,
      transport: call.transport,
      method: call.method,
      path,
      route: call.route,
      status: call.status,
      code: call.code,
      durationMs: call.durationMs,
      userId,
    });
  }

  private groupError(call: CallRecord, now: number, kind: CallKind): void {
    const errorKind: ErrorKind = kind === SERVER_ERROR ? "server" : "client";
    const code = call.code ?? `HTTP_${call.status}`;
    const message = clean(call.error?.message || http.STATUS_CODES[call.status] || `HTTP ${call.status}`, MAX_MESSAGE);
    const key = this.fingerprintOf(errorKind, code, call.route, message);
    let group = this.errorGroups.get(key);
    if (group === undefined) {
      if (this.errorGroups.size >= MAX_ERROR_GROUPS) {
        this.droppedErrors++;
        return;
      }
      group = { kind: errorKind, code, route: call.route, message, count: 0, firstSeen: now, lastSeen: now, sampleStack: null, lastRequestId: null };
      this.errorGroups.set(key, group);
    }
    group.count++;
    group.lastSeen = now;
    group.message = message;
    group.lastRequestId = call.requestId;
    // Stacks are for people who fix servers: a refused request's stack only shows our validation.
    if (errorKind === "server" && call.error?.stack) group.sampleStack = clean(call.error.stack, MAX_STACK);
  }

  /** Fingerprints of recent errors by their raw text: the same failure again skips the normalising and hashing. */
  private readonly fingerprints = new Map<string, string>();

  private fingerprintOf(kind: ErrorKind, code: string, route: string, message: string): string {
    const raw = `${kind}\0${code}\0${route}\0${message}`;
    let key = this.fingerprints.get(raw);
    if (key === undefined) {
      if (this.fingerprints.size >= MAX_ERROR_GROUPS) this.fingerprints.clear();
      key = fingerprint(kind, code, route, message);
      this.fingerprints.set(raw, key);
    }
    return key;
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
    const now = this.clock();
    const minute = this.minutes.get(now - (now % MINUTE_MS));
    const entry = minute?.routes.get(route);
    return entry && { count: entry.count, errors: entry.errors, clientErrors: entry.clientErrors, ...percentilesMs(entry.histogram) };
  }

  /** Minutes and routes held in memory now (the benchmark's memory figure reads it). */
  held(): { minutes: number; routes: number } {
    let routes = 0;
    for (const minute of this.minutes.values()) routes += minute.routes.size;
    return { minutes: this.minutes.size, routes };
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
    const start = now - (now % MINUTE_MS);
    const state = this.systemMinutes.get(start);
    if (state === undefined) this.systemMinutes.set(start, { sample, peakP99: sample.eventLoopP99Ms, queueDepth: this.lastQueueDepth, dirty: true });
    else {
      state.sample = sample;
      state.peakP99 = Math.max(state.peakP99, sample.eventLoopP99Ms);
      state.queueDepth = this.lastQueueDepth;
      state.dirty = true;
    }
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

    // Taken before the first await: what is recorded meanwhile is marked dirty again, for the next flush.
    const taken: RouteMinute[] = [];
    const minuteRows: MinuteRow[] = [];
    for (const minute of this.minutes.values()) {
      const at = new Date(minute.start);
      for (const [name, route] of minute.routes) {
        if (!route.dirty) continue;
        route.dirty = false;
        taken.push(route);
        minuteRows.push({ minute: at, route: name, count: route.count, errors: route.errors, clientErrors: route.clientErrors, sumMs: route.sumMs, maxMs: route.maxMs, histogram: encodeHistogram(route.histogram) });
      }
    }
    const logRows = this.logBuffer;
    this.logBuffer = [];
    const groups = this.errorGroups;
    this.errorGroups = new Map();
    const systemTaken: SystemMinuteState[] = [];
    const systemRows: SystemRow[] = [];
    for (const [start, state] of this.systemMinutes) {
      if (!state.dirty) continue;
      state.dirty = false;
      systemTaken.push(state);
      const { sample } = state;
      systemRows.push({
        minute: new Date(start),
        rssBytes: sample.rssBytes,
        heapUsedBytes: sample.heapUsedBytes,
        cpuPercent: sample.cpuPercent,
        eventLoopP99Ms: state.peakP99,
        wsConnections: sample.wsConnections,
        queueDepth: state.queueDepth,
      });
    }
    const errorRows: ErrorRow[] = [...groups].map(([key, g]) => ({ ...g, fingerprint: key, firstSeen: new Date(g.firstSeen), lastSeen: new Date(g.lastSeen) }));

    let step = 0;
    try {
      await upsertMinutes(this.pool, this.instanceId, minuteRows);
      step = 1;
      await insertLog(this.pool, this.instanceId, logRows);
      step = 2;
      await upsertErrors(this.pool, errorRows);
      step = 3;
      await upsertSystem(this.pool, this.instanceId, systemRows);
      step = 4;
    } catch (error) {
      if (this.availability.report(error)) {
        // Unreachable: keep what was not written, for the next flush.
        if (step < 1) for (const route of taken) route.dirty = true;
        if (step < 2) this.restoreLog(logRows);
        if (step < 3) this.restoreErrors(groups);
        if (step < 4) for (const state of systemTaken) state.dirty = true;
      } else {
        // Anything else would fail again: log it and let that batch go.
        this.log.error({ err: error, step }, "measurements: flush failed");
      }
    }

    // A minute that is over and written has nothing more to say.
    for (const [start, minute] of this.minutes) {
      if (start >= currentStart) continue;
      let written = true;
      for (const route of minute.routes.values()) if (route.dirty) written = false;
      if (written) {
        this.minutes.delete(start);
        if (this.current === minute) this.current = undefined;
      }
    }
    for (const [start, state] of this.systemMinutes) if (start < currentStart && !state.dirty) this.systemMinutes.delete(start);
    this.warnDropped(now);
  }

  private dropOldMinutes(): void {
    if (this.minutes.size <= MAX_MINUTES_HELD) return;
    const starts = [...this.minutes.keys()].sort((a, b) => a - b);
    for (const start of starts.slice(0, starts.length - MAX_MINUTES_HELD)) this.minutes.delete(start);
    this.log.warn({ dropped: starts.length - MAX_MINUTES_HELD }, "measurements: minutes not written for an hour were dropped");
    const systemStarts = [...this.systemMinutes.keys()].sort((a, b) => a - b);
    for (const start of systemStarts.slice(0, Math.max(0, systemStarts.length - MAX_MINUTES_HELD))) this.systemMinutes.delete(start);
  }

  private restoreLog(rows: LogRow[]): void {
    const room = MAX_LOG_BUFFER - this.logBuffer.length;
    if (rows.length > room) this.droppedLogRows += rows.length - Math.max(0, room);
    this.logBuffer = rows.slice(0, Math.max(0, room)).concat(this.logBuffer);
  }

  private restoreErrors(groups: Map<string, ErrorGroup>): void {
    for (const [key, old] of groups) {
      const group = this.errorGroups.get(key);
      if (group === undefined) {
        if (this.errorGroups.size >= MAX_ERROR_GROUPS) this.droppedErrors += old.count;
        else this.errorGroups.set(key, old);
        continue;
      }
      group.count += old.count;
      group.firstSeen = Math.min(group.firstSeen, old.firstSeen);
      group.sampleStack ??= old.sampleStack;
    }
  }

  private warnDropped(now: number): void {
    if ((this.droppedLogRows === 0 && this.droppedErrors === 0) || now - this.lastDropWarning < WARN_EVERY_MS) return;
    this.lastDropWarning = now;
    this.log.warn({ logRows: this.droppedLogRows, errors: this.droppedErrors, sampledOut: this.sampledOut }, "measurements: buffers full, request-log rows or errors dropped");
    this.droppedLogRows = 0;
    this.droppedErrors = 0;
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

function add(route: RouteMinute, us: number, ms: number, kind: CallKind): void {
  route.count++;
  if (kind === SERVER_ERROR) route.errors++;
  else if (kind === CLIENT_ERROR) route.clientErrors++;
  route.sumMs += ms;
  if (ms > route.maxMs) route.maxMs = ms;
  route.histogram.recordValue(us);
  route.dirty = true;
}
