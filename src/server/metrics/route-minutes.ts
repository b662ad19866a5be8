/**
 * Per minute and route, this instance's counts, sums and HDR histogram, held until written. A
 * minute is written whole whenever it changed (an upsert: writing it twice is harmless), so what
 * is held is the minute itself rather than deltas, and a finished minute goes once it is written.
 * The route count per minute is capped (the rest is `other`): a route is a row per minute.
 */
import { encodeHistogram, newHistogram, percentilesMs, recordMicros, type Histogram } from "./histogram.js";
import { CLIENT_ERROR, SERVER_ERROR, type CallKind } from "./ring.js";
import { ALL, MAX_ROUTES_PER_MINUTE, OTHER } from "./routes.js";
import type { MinuteRow } from "./store.js";

export const MINUTE_MS = 60_000;
/** Minutes held while they cannot be written (one hour of a database outage); older ones are dropped. */
export const MAX_MINUTES_HELD = 60;

export interface RouteMinute {
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

/** What a flush took: the rows to write, and the routes to mark dirty again if they are not written. */
export interface TakenMinutes {
  rows: MinuteRow[];
  routes: RouteMinute[];
}

export class RouteMinutes {
  private readonly minutes = new Map<number, Minute>();
  /** The latest minute: nearly every call lands in it, so the map is not consulted. */
  private current: Minute | undefined;

  /** On the hot path: a call counted in its route and in `*`. Allocates only for a new minute or route. */
  add(now: number, name: string, us: number, ms: number, kind: CallKind): void {
    let minute = this.current;
    if (minute === undefined || now >= minute.start + MINUTE_MS || now < minute.start) minute = this.minuteOf(now);
    let route = minute.routes.get(name);
    if (route === undefined) {
      const capped = minute.routes.size >= MAX_ROUTES_PER_MINUTE + 1 ? OTHER : name;
      route = minute.routes.get(capped) ?? addRoute(minute, capped);
    }
    count(route, us, ms, kind);
    count(minute.routes.get(ALL) ?? addRoute(minute, ALL), us, ms, kind);
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

  /** The routes changed since the last flush, as rows; what is recorded meanwhile marks them dirty again. */
  take(): TakenMinutes {
    const routes: RouteMinute[] = [];
    const rows: MinuteRow[] = [];
    for (const minute of this.minutes.values()) {
      const at = new Date(minute.start);
      for (const [name, route] of minute.routes) {
        if (!route.dirty) continue;
        route.dirty = false;
        routes.push(route);
        rows.push({ minute: at, route: name, count: route.count, errors: route.errors, clientErrors: route.clientErrors, sumMs: route.sumMs, maxMs: route.maxMs, histogram: encodeHistogram(route.histogram) });
      }
    }
    return { rows, routes };
  }

  /** Not written: the next flush writes them (whole, with whatever came since). */
  restore(taken: TakenMinutes): void {
    for (const route of taken.routes) route.dirty = true;
  }

  /** A minute before `currentStart` that is written has nothing more to say. */
  prune(currentStart: number): void {
    for (const [start, minute] of this.minutes) {
      if (start >= currentStart) continue;
      let written = true;
      for (const route of minute.routes.values()) if (route.dirty) written = false;
      if (written) {
        this.minutes.delete(start);
        if (this.current === minute) this.current = undefined;
      }
    }
  }

  /** Beyond MAX_MINUTES_HELD the oldest go (a long outage must not grow the heap); returns how many. */
  dropOld(): number {
    if (this.minutes.size <= MAX_MINUTES_HELD) return 0;
    const starts = [...this.minutes.keys()].sort((a, b) => a - b);
    for (const start of starts.slice(0, starts.length - MAX_MINUTES_HELD)) this.minutes.delete(start);
    return starts.length - MAX_MINUTES_HELD;
  }

  /** Figures of one route in the minute holding `now`. */
  at(now: number, name: string): ({ count: number; errors: number; clientErrors: number } & ReturnType<typeof percentilesMs>) | undefined {
    const minute = this.minutes.get(now - (now % MINUTE_MS));
    const entry = minute?.routes.get(name);
    return entry && { count: entry.count, errors: entry.errors, clientErrors: entry.clientErrors, ...percentilesMs(entry.histogram) };
  }

  held(): { minutes: number; routes: number } {
    let routes = 0;
    for (const minute of this.minutes.values()) routes += minute.routes.size;
    return { minutes: this.minutes.size, routes };
  }
}

function addRoute(minute: Minute, name: string): RouteMinute {
  const route: RouteMinute = { count: 0, errors: 0, clientErrors: 0, sumMs: 0, maxMs: 0, histogram: newHistogram(), dirty: true };
  minute.routes.set(name, route);
  return route;
}

function count(route: RouteMinute, us: number, ms: number, kind: CallKind): void {
  route.count++;
  if (kind === SERVER_ERROR) route.errors++;
  else if (kind === CLIENT_ERROR) route.clientErrors++;
  route.sumMs += ms;
  if (ms > route.maxMs) route.maxMs = ms;
  recordMicros(route.histogram, us);
  route.dirty = true;
}
