/**
 * Per minute, this instance's system sample as written: the last sample of the minute, but the
 * event-loop delay's peak over it (a stall early in the minute must not be hidden by a calm end).
 * Held until written, like the route minutes, and cut to the same last hour when they are.
 */
import type { InstanceSystem } from "@/shared/analytics";
import { MAX_MINUTES_HELD, MINUTE_MS } from "./route-minutes.js";
import type { SystemRow } from "./store.js";

interface SystemMinute {
  sample: InstanceSystem;
  peakP99: number;
  queueDepth: number;
  dirty: boolean;
}

/** What a flush took: the rows to write, and the minutes to mark dirty again if they are not written. */
export interface TakenSystem {
  rows: SystemRow[];
  minutes: SystemMinute[];
}

export class SystemMinutes {
  private readonly minutes = new Map<number, SystemMinute>();

  add(now: number, sample: InstanceSystem, queueDepth: number): void {
    const start = now - (now % MINUTE_MS);
    const state = this.minutes.get(start);
    if (state === undefined) this.minutes.set(start, { sample, peakP99: sample.eventLoopP99Ms, queueDepth, dirty: true });
    else {
      state.sample = sample;
      state.peakP99 = Math.max(state.peakP99, sample.eventLoopP99Ms);
      state.queueDepth = queueDepth;
      state.dirty = true;
    }
  }

  take(): TakenSystem {
    const minutes: SystemMinute[] = [];
    const rows: SystemRow[] = [];
    for (const [start, state] of this.minutes) {
      if (!state.dirty) continue;
      state.dirty = false;
      minutes.push(state);
      const { sample } = state;
      rows.push({
        minute: new Date(start),
        rssBytes: sample.rssBytes,
        heapUsedBytes: sample.heapUsedBytes,
        cpuPercent: sample.cpuPercent,
        eventLoopP99Ms: state.peakP99,
        wsConnections: sample.wsConnections,
        queueDepth: state.queueDepth,
      });
    }
    return { rows, minutes };
  }

  restore(taken: TakenSystem): void {
    for (const state of taken.minutes) state.dirty = true;
  }

  /** A written minute before `currentStart` will not change again. */
  prune(currentStart: number): void {
    for (const [start, state] of this.minutes) if (start < currentStart && !state.dirty) this.minutes.delete(start);
  }

  /** Beyond MAX_MINUTES_HELD the oldest go (called when the route minutes overflow). */
  dropOld(): void {
    const starts = [...this.minutes.keys()].sort((a, b) => a - b);
    for (const start of starts.slice(0, Math.max(0, starts.length - MAX_MINUTES_HELD))) this.minutes.delete(start);
  }
}
