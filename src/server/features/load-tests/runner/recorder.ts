/**
 * Counts and times a run's requests: one histogram for the second in progress (the live
 * snapshot's percentiles) and one for the whole run (the result's), errors by kind, bytes.
 * Latencies are recorded in microseconds (the core's histogram configuration) and reported in ms.
 */
import { newHistogram, type Histogram } from "@/server/metrics/histogram";
import type { HistogramBucket, LatencySummary, LoadTestSnapshot } from "@/shared/load-tests";
import type { RunnerTotals } from "./protocol.js";

/** Bucket edges a person reads (1, 2, 5 per decade), from 0.1 ms to one minute; empty buckets at either end dropped. */
const EDGES_MS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 60_000, Infinity];

const ms = (us: number) => Math.round(us) / 1000;

export class Recorder {
  private readonly total = newHistogram();
  private readonly bucketCounts = EDGES_MS.map(() => 0);
  private second = newHistogram();
  private secondRequests = 0;
  private secondErrors = 0;
  private secondErrorsByKind: Record<string, number> = {};
  private readonly startedAt = performance.now();
  private secondsReported = 0;
  private secondStartedAt = performance.now();
  requests = 0;
  errors = 0;
  readonly errorsByKind: Record<string, number> = {};
  bytesReceived = 0;
  activeConnections = 0;
  /** websocket runs: messages delivered and expected so far. */
  delivery: { delivered: number; expected: number } | undefined;

  /** A request that completed (whatever its status), and how long it took. */
  ok(latencyMs: number, bytes = 0): void {
    const us = Math.max(1, Math.round(latencyMs * 1000));
    this.total.recordValue(us);
    this.second.recordValue(us);
    this.bucketCounts[bucketIndex(latencyMs)]!++;
    this.requests++;
    this.secondRequests++;
    this.bytesReceived += bytes;
  }

  /** A request that failed (`count` of them): an error status (it still took time: pass it) or no answer at all. */
  failed(kind: string, latencyMs?: number, count = 1): void {
    if (latencyMs !== undefined) this.ok(latencyMs);
    else {
      this.requests += count;
      this.secondRequests += count;
    }
    this.errors += count;
    this.secondErrors += count;
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + count;
    this.secondErrorsByKind[kind] = (this.secondErrorsByKind[kind] ?? 0) + count;
  }

  get elapsedS(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** The second just ended, and the totals so far; starts the next second. */
  snapshot(): Omit<LoadTestSnapshot, "at"> & { at: number } {
    const second = ++this.secondsReported;
    const h = this.second;
    // The last snapshot covers the part-second since the one before: its rate is per second, not its count.
    const now = performance.now();
    const lengthS = Math.max(0.05, (now - this.secondStartedAt) / 1000);
    this.secondStartedAt = now;
    const snapshot = {
      type: "snapshot" as const,
      second,
      at: Date.now(),
      requests: this.secondRequests,
      requestsPerS: Math.round((this.secondRequests / lengthS) * 10) / 10,
      p50: h.totalCount ? ms(h.getValueAtPercentile(50)) : 0,
      p95: h.totalCount ? ms(h.getValueAtPercentile(95)) : 0,
      p99: h.totalCount ? ms(h.getValueAtPercentile(99)) : 0,
      errors: this.secondErrors,
      errorsByKind: this.secondErrorsByKind,
      activeConnections: this.activeConnections,
      totalRequests: this.requests,
      totalErrors: this.errors,
      ...(this.delivery ? { delivered: this.delivery.delivered, expected: this.delivery.expected } : {}),
    };
    this.second.destroy();
    this.second = newHistogram();
    this.secondRequests = 0;
    this.secondErrors = 0;
    this.secondErrorsByKind = {};
    return snapshot;
  }

  totals(): RunnerTotals {
    return {
      requests: this.requests,
      errors: this.errors,
      errorsByKind: { ...this.errorsByKind },
      bytesReceived: this.bytesReceived,
      elapsedS: Math.round(this.elapsedS * 100) / 100,
      latency: summarize(this.total),
      histogram: buckets(this.bucketCounts),
      ...(this.delivery ? { delivered: this.delivery.delivered, expected: this.delivery.expected } : {}),
    };
  }
}

function summarize(h: Histogram): LatencySummary {
  if (!h.totalCount) return { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
  const max = h.maxValue;
  // A percentile is its bucket's upper edge (within 1 %): never above the largest value recorded.
  const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), max));
  return { min: ms(h.minNonZeroValue), mean: ms(h.mean), p50: at(50), p90: at(90), p95: at(95), p99: at(99), p999: at(99.9), max: ms(max) };
}


function bucketIndex(latencyMs: number): number {
  let i = 0;
  while (latencyMs > EDGES_MS[i]!) i++;
  return i;
}

/** The non-empty span of the bucket counts, as `{ upToMs, count }` (the last edge, unbounded, shown as one minute). */
function buckets(counts: number[]): HistogramBucket[] {
  const first = counts.findIndex((c) => c > 0);
  if (first < 0) return [];
  const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  return EDGES_MS.slice(first, last + 1).map((edge, i) => ({ upToMs: edge === Infinity ? 60_000 : edge, count: counts[first + i]! }));
}
