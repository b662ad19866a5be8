/**
 * What every fan-out measurement (Pulse's and the yardsticks') shares: server memory after a
 * forced collection, and CPU over the fan-out window on both sides — with the time each side
 * waited for a CPU, so that a side starved by other work on a shared machine reads as saturated.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { readSchedstat, type ServerProcess } from "../lib/processes.js";
import type { ClientPool } from "./client-pool.js";
import { median, round } from "./stats.js";
import type { CpuFigures, MemoryFigures } from "./types.js";

/** Server RSS (median of three samples) and V8 heap in use, after full garbage collections (node --expose-gc). */
export async function sampleMemory(server: ServerProcess): Promise<{ rss: number; heapUsed: number | undefined }> {
  // Twice, a moment apart: the first collection may leave pages that the allocator returns later.
  await server.ask("gc");
  await sleep(500);
  const collected = await server.ask<{ usage: NodeJS.MemoryUsage }>("gc");
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(300);
    samples.push(await server.rss());
  }
  return { rss: median(samples), heapUsed: collected?.usage.heapUsed };
}

export function memoryFigures(before: { rss: number; heapUsed: number | undefined }, after: { rss: number; heapUsed: number | undefined }, connections: number): MemoryFigures {
  const per = (bytes: number) => round(bytes / 1024 / Math.max(1, connections), 1);
  return {
    rssBeforeBytes: before.rss,
    rssConnectedBytes: after.rss,
    perConnectionKB: per(after.rss - before.rss),
    heapUsedBeforeBytes: before.heapUsed,
    heapUsedConnectedBytes: after.heapUsed,
    heapPerConnectionKB: before.heapUsed !== undefined && after.heapUsed !== undefined ? per(after.heapUsed - before.heapUsed) : undefined,
  };
}

const SATURATED_PCT = 90;

/** Starts a CPU window over the server and the whole load generator; `end(deliveries)` gives the figures. */
export async function cpuWindow(server: ServerProcess, pool: ClientPool): Promise<{ end(deliveries: number): Promise<CpuFigures> }> {
  const server0 = server.cpuMs();
  const serverSched0 = server.sched();
  const pool0 = (await pool.stats()).cpuUs;
  const generatorWait = () => pool.waitNs() + (readSchedstat(process.pid)?.waitNs ?? 0);
  const wait0 = generatorWait();
  const own0 = process.cpuUsage();
  const started = performance.now();
  return {
    async end(deliveries) {
      const server1 = server.cpuMs();
      const serverSched1 = server.sched();
      const wait1 = generatorWait();
      const pool1 = (await pool.stats()).cpuUs;
      const own = process.cpuUsage(own0);
      const wallMs = performance.now() - started;
      const serverMs = server0 !== undefined && server1 !== undefined ? server1 - server0 : undefined;
      const serverCpuPct = serverMs === undefined ? null : round((100 * serverMs) / wallMs, 1);
      const ownUs = own.user + own.system;
      const generatorCpuPct = round((100 * (ownUs + pool1 - pool0)) / 1000 / wallMs, 1);
      const pctOfWindow = (ns: number) => round((100 * ns) / 1e6 / wallMs, 1);
      const serverWaitPct = serverSched0 && serverSched1 ? pctOfWindow(serverSched1.waitNs - serverSched0.waitNs) : null;
      const generatorWaitPct = pctOfWindow(wait1 - wait0);
      const serverBusy = (serverCpuPct ?? 0) + (serverWaitPct ?? 0) >= SATURATED_PCT;
      const generatorBusy = generatorCpuPct + generatorWaitPct >= SATURATED_PCT;
      return {
        serverCpuPct,
        serverWaitPct,
        serverCpuMicrosecondsPerDelivery: serverMs === undefined ? null : round((serverMs * 1000) / Math.max(1, deliveries), 1),
        generatorCpuPct,
        publisherCpuPct: round((100 * ownUs) / 1000 / wallMs, 1),
        generatorWaitPct,
        clientProcs: pool.size,
        saturated: serverBusy && generatorBusy ? "both" : serverBusy ? "server" : generatorBusy ? "load generator" : "neither",
      };
    },
  };
}
