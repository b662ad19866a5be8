/**
 * `analytics.performance`: the per-minute rows every instance writes (MetricMinute), merged.
 *
 * Which rows: up to 24 hours, minutes (the finest there is). Past 24 hours (up to the 7 days
 * minutes are kept), the completed hours already rolled up into MetricHour (merged across
 * instances) stand in for their 60 × instances minute rows, and minutes cover the rest (the
 * window's first partial hour, and whatever is newer than the last rolled-up hour): a 7-day
 * window decodes a few thousand histograms, not a few hundred thousand.
 */
import type { App } from "@/server/app";
import { decodeHistogram, percentilesMs, type Histogram } from "@/server/metrics/measurements";
import type { MinuteRow } from "@/server/metrics/store";
import { ALL_ROUTES, type PerformanceResult, type RoutePerformance, type TrafficPoint } from "@/shared/analytics";
import type { PerformanceInput } from "./schemas.js";

const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
/** Past this window, rolled-up hours replace minutes. */
const HOURS_AFTER_S = 24 * 60 * 60;
/** Bucket widths a series may have; the narrowest that gives at most MAX_BUCKETS wins. */
const BUCKET_WIDTHS_S = [60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400];
const MAX_BUCKETS = 120;

/** A stored minute (or hour) of one route, as read back: the row the measurements write, its time as `at`. */
export type MetricRow = Omit<MinuteRow, "minute"> & { at: Date };

/** What is summed over rows: counts, and every row's histogram merged into one. */
class Tally {
  count = 0;
  errors = 0;
  clientErrors = 0;
  sumMs = 0;
  maxMs = 0;
  private histogram: Histogram | undefined;

  add(row: MetricRow): void {
    this.count += row.count;
    this.errors += row.errors;
    this.clientErrors += row.clientErrors;
    this.sumMs += row.sumMs;
    this.maxMs = Math.max(this.maxMs, row.maxMs);
    if (row.count === 0) return;
    const decoded = decodeHistogram(row.histogram);
    if (!this.histogram) this.histogram = decoded;
    else {
      this.histogram.add(decoded);
      decoded.destroy();
    }
  }

  percentiles(): { p50: number; p90: number; p95: number; p99: number; max: number; mean: number } {
    if (!this.histogram || this.count === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    const p = percentilesMs(this.histogram);
    // The exact figures win over the histogram's (which is precise to its significant digits).
    return { ...p, max: Math.round(this.maxMs * 1000) / 1000, mean: Math.round((this.sumMs / this.count) * 1000) / 1000 };
  }

  destroy(): void {
    this.histogram?.destroy();
  }
}

function routePerformance(route: string, tally: Tally, windowS: number): RoutePerformance {
  const { p50, p90, p95, p99, max, mean } = tally.percentiles();
  return {
    route,
    count: tally.count,
    errors: tally.errors,
    clientErrors: tally.clientErrors,
    ratePerS: Math.round((tally.count / windowS) * 1000) / 1000,
    errorRate: tally.count ? tally.errors / tally.count : 0,
    mean,
    p50,
    p90,
    p95,
    p99,
    max,
  };
}

export function bucketWidthS(windowS: number): number {
  return BUCKET_WIDTHS_S.find((width) => windowS / width <= MAX_BUCKETS) ?? BUCKET_WIDTHS_S[BUCKET_WIDTHS_S.length - 1]!;
}

const COLUMNS = `route, count, errors, "clientErrors", "sumMs", "maxMs", histogram`;

/**
 * The rows of [from, to] for one route (or every route when `route` is undefined): minutes, or
 * (with `hours`) the rolled-up hours wholly inside the window plus minutes for the rest.
 */
export async function metricRows(app: App, from: Date, to: Date, route: string | undefined, hours: boolean): Promise<MetricRow[]> {
  const params: unknown[] = [from, to, route ?? null];
  const routeFilter = `($3::text IS NULL OR route = $3)`;
  if (!hours) {
    const { rows } = await app.pool.query<MetricRow>(`SELECT minute AS at, ${COLUMNS} FROM "MetricMinute" WHERE minute >= $1 AND minute <= $2 AND ${routeFilter}`, params);
    return rows;
  }
  const firstHour = new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS);
  const { rows: hourRows } = await app.pool.query<MetricRow>(`SELECT hour AS at, ${COLUMNS} FROM "MetricHour" WHERE hour >= $1 AND hour + interval '1 hour' <= $2 AND ${routeFilter}`, [firstHour, to, route ?? null]);
  // A minute whose hour was rolled up is already in that hour's row: not read at all.
  const covered = [...new Set(hourRows.map((row) => row.at.getTime()))].map((at) => new Date(at));
  const { rows: minuteRows } = await app.pool.query<MetricRow>(
    `SELECT minute AS at, ${COLUMNS} FROM "MetricMinute"
     WHERE minute >= $1 AND minute <= $2 AND ${routeFilter} AND NOT (to_timestamp(floor(extract(epoch FROM minute) / 3600) * 3600) = ANY($4::timestamptz[]))`,
    [...params, covered],
  );
  return [...hourRows, ...minuteRows];
}

export async function performance(app: App, input: PerformanceInput, now = new Date()): Promise<PerformanceResult> {
  // The latest calls of this instance are in memory until its next flush: the answer includes them.
  await app.measurements.flush();
  const { windowS } = input;
  const to = now;
  // Rows are stamped with their minute's start: the window's first minute counts whole.
  const from = new Date(Math.floor((to.getTime() - windowS * 1000) / MINUTE_MS) * MINUTE_MS);
  const hours = windowS > HOURS_AFTER_S;
  const bucketS = bucketWidthS(windowS);
  const seriesRoute = input.route ?? ALL_ROUTES;

  const [rows, totalRows] = await Promise.all([
    metricRows(app, from, to, input.route, hours),
    input.route && input.route !== ALL_ROUTES ? metricRows(app, from, to, ALL_ROUTES, hours) : undefined,
  ]);

  const byRoute = new Map<string, Tally>();
  const buckets = new Map<number, Tally>();
  for (const row of rows) {
    let tally = byRoute.get(row.route);
    if (!tally) byRoute.set(row.route, (tally = new Tally()));
    tally.add(row);
    if (row.route !== seriesRoute) continue;
    const bucket = Math.floor(row.at.getTime() / (bucketS * 1000)) * bucketS * 1000;
    let inBucket = buckets.get(bucket);
    if (!inBucket) buckets.set(bucket, (inBucket = new Tally()));
    inBucket.add(row);
  }
  let totalTally = byRoute.get(ALL_ROUTES);
  if (totalRows) {
    totalTally = new Tally();
    for (const row of totalRows) totalTally.add(row);
  }

  const routes = [...byRoute]
    .filter(([route]) => route !== ALL_ROUTES)
    .map(([route, tally]) => routePerformance(route, tally, windowS))
    .sort((a, b) => b.p95 - a.p95 || b.count - a.count || a.route.localeCompare(b.route));
  const total = routePerformance(ALL_ROUTES, totalTally ?? new Tally(), windowS);

  // Every bucket of the window, empty ones as zeros: a chart shows quiet time as quiet.
  const series: TrafficPoint[] = [];
  const firstBucket = Math.floor(from.getTime() / (bucketS * 1000)) * bucketS * 1000;
  for (let at = firstBucket; at <= to.getTime(); at += bucketS * 1000) {
    const tally = buckets.get(at);
    const p = tally?.percentiles();
    series.push({
      at: new Date(at),
      requestsPerS: tally ? Math.round((tally.count / bucketS) * 1000) / 1000 : 0,
      errorRate: tally?.count ? tally.errors / tally.count : 0,
      p50: p?.p50 ?? 0,
      p95: p?.p95 ?? 0,
      p99: p?.p99 ?? 0,
    });
  }

  for (const tally of [...byRoute.values(), ...buckets.values(), ...(totalRows && totalTally ? [totalTally] : [])]) tally.destroy();
  return { windowS, from, to, bucketS, routes, total, series };
}
