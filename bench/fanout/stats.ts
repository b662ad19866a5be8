/**
 * Small shared pieces of the fan-out benchmark: the clock both ends of a delivery read, latency
 * histograms (microseconds in, milliseconds out, mergeable across processes), and pacing.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { build, decodeFromCompressedBase64, type Histogram } from "hdr-histogram-js";

export const log = (message: string) => console.log(`[sessions ${new Date().toISOString().slice(11, 19)}] ${message}`);
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Epoch milliseconds with sub-millisecond resolution: the clock both ends of a delivery read.
 * The publisher (this process) and the subscribers (this process or its client processes) each
 * read their own `performance.timeOrigin + performance.now()`; on one machine both derive from
 * the same system clock at process start plus a monotonic offset, so they agree to well under a
 * millisecond (tens of microseconds) — far below the latencies measured here.
 */
export const clock = () => performance.timeOrigin + performance.now();

export function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

export const recordMs = (h: Histogram, ms: number) => h.recordValue(Math.max(1, Math.round(ms * 1000)));

/** Adds a histogram encoded by `encodeIntoCompressedBase64` (from a client process) into `into`. */
export function mergeEncoded(into: Histogram, encoded: string): void {
  if (!encoded) return;
  const decoded = decodeFromCompressedBase64(encoded, 32, false);
  into.add(decoded);
  decoded.destroy();
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Milliseconds from a histogram of microseconds. */
export function percentiles(h: Histogram): Percentiles {
  const ms = (us: number) => round(us / 1000, 2);
  if (h.totalCount === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

/**
 * Waits until `done()`, as long as `progress()` keeps changing: an overloaded server is slow, not
 * lossy, so what is still arriving is waited for; `stallMs` without any change ends the wait.
 */
export async function waitWhileProgressing(done: (progress: number) => boolean, progress: () => number | Promise<number>, stallMs: number, stepMs = 50): Promise<boolean> {
  let last = await progress();
  let since = performance.now();
  while (!done(last)) {
    await sleep(stepMs);
    const now = await progress();
    if (now !== last) [last, since] = [now, performance.now()];
    else if (performance.now() - since > stallMs) return false;
  }
  return true;
}

/** Sends `count` calls at `rate` per second on a fixed schedule (not waiting for answers), returns their round trips. */
export async function paced(
  count: number,
  rate: number,
  send: (seq: number) => Promise<void>,
): Promise<{ roundTrip: Percentiles; ok: number; failures: string[]; wallS: number }> {
  const roundTrip = histogram();
  const failures: string[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now() + 50;
  for (let seq = 0; seq < count; seq++) {
    const due = start + (seq * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const began = performance.now();
    pending.push(
      send(seq).then(
        () => recordMs(roundTrip, performance.now() - began),
        (error: unknown) => void failures.push((error as Error).message),
      ),
    );
  }
  await Promise.all(pending);
  const result = {
    roundTrip: percentiles(roundTrip),
    ok: count - failures.length,
    failures: [...new Set(failures)].slice(0, 5),
    wallS: round((performance.now() - start) / 1000, 2),
  };
  roundTrip.destroy();
  return result;
}
