import { newHistogram, recordMicros, type Histogram } from "./histogram.js";

export interface RecentCounts {
  count: number;
  errors: number;
  clientErrors: number;
}

/** How a call ended, as the counters need it. */
export const OK = 0;
export const CLIENT_ERROR = 1;
export const SERVER_ERROR = 2;
export type CallKind = typeof OK | typeof CLIENT_ERROR | typeof SERVER_ERROR;

/**
 * The last few minutes of one instance, a slot per second: counts for `countSeconds`, a
 * histogram of every call for the last `histogramSeconds`. A slot is reused when its second
 * comes round again, and cleared then (not on a timer).
 */
export class SecondRing {
  private readonly stamps: Float64Array;
  private readonly counts: Uint32Array;
  private readonly errors: Uint32Array;
  private readonly clientErrors: Uint32Array;
  private readonly histStamps: Float64Array;
  private readonly histograms: (Histogram | undefined)[];

  constructor(
    readonly countSeconds = 300,
    readonly histogramSeconds = 60,
  ) {
    this.stamps = new Float64Array(countSeconds).fill(-1);
    this.counts = new Uint32Array(countSeconds);
    this.errors = new Uint32Array(countSeconds);
    this.clientErrors = new Uint32Array(countSeconds);
    this.histStamps = new Float64Array(histogramSeconds).fill(-1);
    this.histograms = new Array<Histogram | undefined>(histogramSeconds);
  }

  /** One call that ended at `nowMs`, lasting `us` microseconds. */
  add(nowMs: number, us: number, kind: CallKind): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.countSeconds;
    if (this.stamps[i] !== second) {
      this.stamps[i] = second;
      this.counts[i] = 0;
      this.errors[i] = 0;
      this.clientErrors[i] = 0;
    }
    this.counts[i]!++;
    if (kind === SERVER_ERROR) this.errors[i]!++;
    else if (kind === CLIENT_ERROR) this.clientErrors[i]!++;

    const j = second % this.histogramSeconds;
    let histogram = this.histograms[j];
    if (histogram === undefined) histogram = this.histograms[j] = newHistogram();
    if (this.histStamps[j] !== second) {
      this.histStamps[j] = second;
      histogram.reset();
    }
    recordMicros(histogram, us);
  }

  /** The calls of the last `seconds` seconds up to `nowMs` (the current second, partly over, included). */
  read(nowMs: number, seconds: number): RecentCounts {
    const now = Math.floor(nowMs / 1000);
    const span = Math.min(Math.max(1, Math.floor(seconds)), this.countSeconds);
    const result = { count: 0, errors: 0, clientErrors: 0 };
    for (let second = now - span + 1; second <= now; second++) {
      const i = second % this.countSeconds;
      if (this.stamps[i] !== second) continue;
      result.count += this.counts[i]!;
      result.errors += this.errors[i]!;
      result.clientErrors += this.clientErrors[i]!;
    }
    return result;
  }

  /** Every call of the last `seconds` (at most `histogramSeconds`) as one fresh histogram. */
  histogram(nowMs: number, seconds: number): Histogram {
    const now = Math.floor(nowMs / 1000);
    const span = Math.min(Math.max(1, Math.floor(seconds)), this.histogramSeconds);
    const merged = newHistogram();
    for (let second = now - span + 1; second <= now; second++) {
      const j = second % this.histogramSeconds;
      const histogram = this.histograms[j];
      if (histogram !== undefined && this.histStamps[j] === second) merged.add(histogram);
    }
    return merged;
  }
}
