/**
 * The one histogram configuration of Pulse's measurements: values in microseconds, 1 µs to one
 * hour, two significant digits (every percentile within 1 % of the true value), pure JavaScript.
 *
 * In memory the counts are a plain Int32Array (13 KiB a histogram), not the packed array: on
 * this machine recording into a packed histogram costs ~450 ns and decoding one ~5 ms, against
 * ~75 ns and ~0.2 ms with 32-bit buckets (bench/measurement.ts) — the request path records three
 * values per call, and the dashboards decode thousands of stored rows. Memory stays small
 * because only the minutes not yet flushed are held. Stored rows are HdrHistogram's standard
 * compressed V2 encoding, which says nothing of the bucket layout: any reader can decode them.
 */
// The modules themselves, not the package's index: that also loads its log reader and writer,
// whose module-level Intl.NumberFormat pulls ICU's locale data into every process at start.
import type { default as Histogram } from "hdr-histogram-js/dist/Histogram.js";
import { build } from "hdr-histogram-js/dist/HistogramBuilder.js";
import type { default as JsHistogram } from "hdr-histogram-js/dist/JsHistogram.js";
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from "hdr-histogram-js/dist/encoding.js";

export type { Histogram };

/** One hour, in microseconds: anything slower is recorded as one hour. */
export const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 2, autoResize: false, useWebAssembly: false });
}

const layout = newHistogram() as JsHistogram;
const HALF_MAGNITUDE = layout.subBucketHalfCountMagnitude;
const HALF_COUNT = layout.subBucketHalfCount;
const UNIT_MAGNITUDE = layout.unitMagnitude;

/**
 * The counts-array index of a value, as the library's `countsArrayIndex` computes it, in integer
 * arithmetic: the library takes a floating-point log2 and two powers per value (~130 ns, about a
 * quarter of a call's whole measurement), this a count of leading zeros and a shift. Values of
 * 2^31 µs (36 minutes) and more take the library's way.
 */
export function countsIndexOf(us: number): number {
  if (us >= 2 ** 31) return layout.countsArrayIndex(us);
  const bucket = Math.max(0, 31 - Math.clz32(us) - HALF_MAGNITUDE - UNIT_MAGNITUDE);
  return ((bucket + 1) << HALF_MAGNITUDE) + (us >>> (bucket + UNIT_MAGNITUDE)) - HALF_COUNT;
}

/**
 * `recordValue(us)` for a histogram made by `newHistogram`, on the request path: what the
 * library's `recordSingleValue` does, with the index from `countsIndexOf` (`toMicros` keeps `us`
 * in range, so the library's range check has nothing to catch).
 */
export function recordMicros(h: Histogram, us: number): void {
  const histogram = h as JsHistogram;
  histogram.incrementCountAtIndex(countsIndexOf(us));
  histogram.updateMinAndMax(us);
  histogram.incrementTotalCount();
}

/** A duration in milliseconds as the microseconds a histogram records (at least 1, at most an hour). */
export function toMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 1 ? 1 : us > HIGHEST_US ? HIGHEST_US : us;
}

/** What goes in MetricMinute.histogram / MetricHour.histogram. */
export function encodeHistogram(h: Histogram): Buffer {
  return Buffer.from(encodeIntoCompressedBase64(h), "base64");
}

export function decodeHistogram(b: Buffer | Uint8Array): Histogram {
  const buffer = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return decodeFromCompressedBase64(buffer.toString("base64"), 32, false);
}

/** Several stored histograms as one (a fresh histogram; the inputs are left alone). */
export function mergeHistograms(histograms: Iterable<Histogram>): Histogram {
  const merged = newHistogram();
  for (const h of histograms) merged.add(h);
  return merged;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Microseconds → milliseconds with three decimals: a recorded value is whole microseconds. */
const ms = (us: number) => Math.round(us) / 1000;

/** Percentiles in milliseconds (0 for an empty histogram). */
export function percentilesMs(h: Histogram): Percentiles {
  if (h.totalCount === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}
