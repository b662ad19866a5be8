/** Requests per second with autocannon, in this (the load generator's) process. */
import autocannon from "autocannon";
import type { ServerProcess } from "./processes.js";

export interface LoadSettings {
  connections: number;
  pipelining: number;
  durationS: number;
  warmupS: number;
}

export interface LoadResult {
  url: string;
  requestsPerSecond: number;
  requests: number;
  latencyMs: { p50: number; p99: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU used by the server during the measured part, as a share of one core. */
  serverCpu?: number;
  /** CPU used by this process (the load generator) during the measured part, as a share of one core. */
  loadGeneratorCpu: number;
}

interface AutocannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; average: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  "2xx": number;
}

function cannon(options: { url: string } & Record<string, unknown>): Promise<AutocannonResult> {
  return autocannon(options) as unknown as Promise<AutocannonResult>;
}

export async function measure(server: ServerProcess, path: string, settings: LoadSettings): Promise<LoadResult> {
  const url = server.url + path;
  const base = { url, connections: settings.connections, pipelining: settings.pipelining };
  if (settings.warmupS > 0) await cannon({ ...base, duration: settings.warmupS });

  const cpuBefore = server.cpuMs();
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const result = await cannon({ ...base, duration: settings.durationS });
  const elapsedMs = performance.now() - started;
  const own = process.cpuUsage(ownBefore);
  const cpuAfter = server.cpuMs();

  return {
    url,
    // Completed 2xx responses over the measured time: errors don't count as throughput.
    requestsPerSecond: Math.round(result["2xx"] / result.duration),
    requests: result.requests.total,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: Math.round(result.latency.average * 100) / 100 },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpu: cpuBefore !== undefined && cpuAfter !== undefined ? round2((cpuAfter - cpuBefore) / elapsedMs) : undefined,
    loadGeneratorCpu: round2((own.user + own.system) / 1000 / elapsedMs),
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
