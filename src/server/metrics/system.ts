import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type pg from "pg";
import type { InstanceSystem } from "@/shared/analytics";
import type { ConnectionCount } from "./connections.js";

/** Nanoseconds → milliseconds, two decimals. */
const nsToMs = (ns: number) => Math.round(ns / 1e4) / 100;

/**
 * This process's resources, sampled (each second, by Measurements): memory, CPU over the last
 * interval, event-loop delay over the last interval (its own monitor, reset each sample), handles,
 * the database pool and this instance's WebSocket connections.
 */
export class SystemSampler {
  private readonly loop: IntervalHistogram;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private readonly startedAt = Date.now();

  constructor(
    private readonly instanceId: string,
    private readonly pool: pg.Pool,
    private readonly connections: ConnectionCount,
  ) {
    this.loop = monitorEventLoopDelay({ resolution: 10 });
  }

  start(): void {
    this.loop.enable();
  }

  stop(): void {
    this.loop.disable();
  }

  sample(now = Date.now()): InstanceSystem {
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    const at = performance.now();
    const elapsedUs = (at - this.lastAt) * 1000;
    const usedUs = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    this.lastCpu = cpu;
    this.lastAt = at;
    // An empty window (no sample since reset: the monitor was off) reads as NaN or a huge min.
    const hasDelay = this.loop.count > 0;
    const sample: InstanceSystem = {
      instance: this.instanceId,
      at: new Date(now),
      uptimeS: Math.round((now - this.startedAt) / 1000),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      cpuPercent: elapsedUs > 0 ? Math.round((usedUs / elapsedUs) * 1000) / 10 : 0,
      eventLoopP50Ms: hasDelay ? nsToMs(this.loop.percentile(50)) : 0,
      eventLoopP99Ms: hasDelay ? nsToMs(this.loop.percentile(99)) : 0,
      handles: process.getActiveResourcesInfo().length,
      databasePool: { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount },
      wsConnections: this.connections.open,
    };
    this.loop.reset();
    return sample;
  }
}
