/**
 * The subscribers' side split across K client processes (bench/fanout/client-worker.ts), each
 * pinned where the load generator is. The N subscribers are dealt out evenly; the parent merges
 * their counts, latency histograms and CPU time. K defaults from the delivery rate
 * (`defaultClientProcs`): with one subscriber process the load generator used about half a core
 * at 20,000 deliveries/s on this 2-core machine (2026-12-02: 37–56 % at N = 1,000 × 20/s and
 * 5,000 × 4/s), so one per 25,000/s keeps each below saturation (issue 15: at N = 5,000 × 20/s a single
 * subscriber process saturates its core). On a 2-core machine with the server pinned to the
 * other core, more processes on the same core add no CPU: their summed CPU then says whether the
 * subscribers' side was the limit (≈ 100 % of a core) — use --no-pin to let them spread.
 */
import type { Histogram } from "hdr-histogram-js";
import { startServer, type ServerProcess } from "../lib/processes.js";
import type { WorkerStats } from "./client-worker.js";
import { mergeEncoded } from "./stats.js";

export function defaultClientProcs(n: number, ratePerS: number): number {
  return Math.max(1, Math.min(8, Math.ceil((n * ratePerS) / 25_000)));
}

/** A worker's figures, summed over the client processes (`cpuUs`: their CPU time so far, µs). */
export type PoolStats = WorkerStats;

export class ClientPool {
  private constructor(private readonly workers: ServerProcess[]) {}

  static async start(procs: number, cpu: number | undefined): Promise<ClientPool> {
    const workers = await Promise.all(Array.from({ length: procs }, () => startServer("fanout/client-worker.ts", { cpu })));
    return new ClientPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Nanoseconds the client processes' main threads waited for a CPU so far (summed). */
  waitNs(): number {
    return this.workers.reduce((sum, w) => sum + (w.sched()?.waitNs ?? 0), 0);
  }

  /** Deals `tokens` out to the processes; each opens its share with `concurrency / K` in flight. */
  async openPulse(url: string, tokens: string[], sessionId: string, messages: number, concurrency: number): Promise<{ ok: number; failures: string[] }> {
    const k = this.workers.length;
    const replies = await Promise.all(
      this.workers.map((w, i) =>
        w.ask<{ ok: number; failures: string[] }>(
          "open",
          { mode: "pulse", url, tokens: tokens.filter((_, j) => j % k === i), sessionId, messages, concurrency: Math.max(1, Math.ceil(concurrency / k)) },
          600_000,
        ),
      ),
    );
    return merged(replies);
  }

  async openPlain(url: string, count: number, messages: number, concurrency: number): Promise<{ ok: number; failures: string[] }> {
    const k = this.workers.length;
    const replies = await Promise.all(
      this.workers.map((w, i) =>
        w.ask<{ ok: number; failures: string[] }>(
          "open",
          { mode: "plain", url, count: Math.floor(count / k) + (i < count % k ? 1 : 0), messages, concurrency: Math.max(1, Math.ceil(concurrency / k)) },
          600_000,
        ),
      ),
    );
    return merged(replies);
  }

  async stats(settleId?: number): Promise<PoolStats> {
    const replies = await Promise.all(this.workers.map((w) => w.ask<WorkerStats>("stats", { settleId }, 30_000)));
    const total: PoolStats = { delivered: 0, duplicates: 0, orderViolations: 0, presenceDeliveries: 0, open: 0, closed: 0, errors: [], cpuUs: 0 };
    for (const r of replies) {
      if (!r) throw new Error("a client process did not answer");
      total.delivered += r.delivered;
      total.duplicates += r.duplicates;
      total.orderViolations += r.orderViolations;
      total.presenceDeliveries += r.presenceDeliveries;
      total.open += r.open;
      total.closed += r.closed;
      total.errors.push(...r.errors);
      total.cpuUs += r.cpuUs;
      if (r.settle) {
        const s = (total.settle ??= { received: 0, lastAt: null, subscribedAfter: 0, missed: 0, waiting: 0 });
        s.received += r.settle.received;
        s.subscribedAfter += r.settle.subscribedAfter;
        s.missed += r.settle.missed;
        s.waiting += r.settle.waiting;
        if (r.settle.lastAt !== null) s.lastAt = Math.max(s.lastAt ?? r.settle.lastAt, r.settle.lastAt);
      }
    }
    total.errors = [...new Set(total.errors)].slice(0, 10);
    return total;
  }

  /** Adds the processes' fan-out (and subscribe) latencies into the given histograms. */
  async mergeHistograms(fanout: Histogram, connect?: Histogram): Promise<void> {
    for (const w of this.workers) {
      const reply = await w.ask<{ fanout: string; connect: string }>("histograms", {}, 30_000);
      if (!reply) throw new Error("a client process did not send its histograms");
      mergeEncoded(fanout, reply.fanout);
      if (connect) mergeEncoded(connect, reply.connect);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ask("close", {}, 30_000)));
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

function merged(replies: ({ ok: number; failures: string[] } | undefined)[]): { ok: number; failures: string[] } {
  const failures: string[] = [];
  let ok = 0;
  for (const r of replies) {
    if (!r) failures.push("a client process did not answer");
    else {
      ok += r.ok;
      failures.push(...r.failures);
    }
  }
  return { ok, failures };
}
