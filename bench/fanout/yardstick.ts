/**
 * The fan-out through a yardstick server instead of Pulse: N plain sockets held by the same client
 * processes, the same lines at the same rate and clock, the server pinned to the same core. Two
 * yardsticks: bare `ws` (bench/lib/bare-ws-server.ts: `socket.send` per socket) and one pre-built
 * frame written to every socket (bench/lib/prebuilt-frame-server.ts: the machine's limit).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startServer } from "../lib/processes.js";
import { ClientPool, defaultClientProcs } from "./client-pool.js";
import { cpuWindow, memoryFigures, sampleMemory } from "./measure.js";
import { clock, histogram, log, paced, percentiles, thousands, waitWhileProgressing } from "./stats.js";
import type { FanoutSettings, YardstickResult } from "./types.js";

const SCRIPTS = { "bare-ws": "lib/bare-ws-server.ts", "prebuilt-frame": "lib/prebuilt-frame-server.ts" } as const;

export async function yardstick(kind: YardstickResult["kind"], n: number, ratePerS: number, settings: FanoutSettings): Promise<YardstickResult> {
  const server = await startServer(SCRIPTS[kind], { cpu: settings.serverCpu, nodeArgs: ["--expose-gc"] });
  const pool = await ClientPool.start(settings.clientProcs ?? defaultClientProcs(n, ratePerS), settings.generatorCpu);
  const latency = histogram();
  try {
    await sleep(500);
    const before = await sampleMemory(server);
    const opened = await pool.openPlain(server.url.replace("http", "ws"), n, settings.messages, settings.concurrency);
    if (opened.ok < n) log(`N = ${thousands(n)}, ${kind}: ${n - opened.ok} sockets failed to open (${opened.failures[0] ?? "?"})`);
    const publish = async (text: string) => {
      const response = await fetch(`${server.url}/publish`, { method: "POST", body: text });
      if (response.status !== 204) throw new Error(`publish answered ${response.status}`);
    };
    // A second of warm-up lines, not measured: Pulse's subscribers have had presence events by now.
    await paced(ratePerS, ratePerS, (seq) => publish(`warm-up ${seq}`));
    await sleep(1_000);
    const cpu = await cpuWindow(server, pool);
    const sends = await paced(settings.messages, ratePerS, (seq) => publish(`m ${seq} ${clock().toFixed(3)}`));
    const expected = opened.ok * sends.ok;
    await waitWhileProgressing((delivered) => delivered >= expected, async () => (await pool.stats()).delivered, settings.drainMs, 100);
    const stats = await pool.stats();
    const cpuFigures = await cpu.end(stats.delivered);
    const wallS = Math.round(sends.wallS * 100) / 100;
    await pool.mergeHistograms(latency);
    const after = await sampleMemory(server);
    const result: YardstickResult = {
      kind,
      n,
      ratePerS,
      latencyMs: percentiles(latency),
      delivered: stats.delivered,
      expected,
      deliveredPct: Math.round((100_000 * stats.delivered) / Math.max(1, expected)) / 1000,
      publishRoundTripMs: sends.roundTrip,
      wallS,
      ...cpuFigures,
      memory: memoryFigures(before, after, opened.ok),
      errors: stats.errors,
    };
    const l = result.latencyMs;
    log(
      `N = ${thousands(n)} @ ${ratePerS}/s, ${kind}: delivered ${thousands(stats.delivered)}/${thousands(expected)}, p50 ${l.p50} ms, p95 ${l.p95} ms, ` +
        `p99 ${l.p99} ms, max ${l.max} ms; server CPU ${result.serverCpuPct} % (${result.serverCpuMicrosecondsPerDelivery} µs per delivery) ` +
        `+ ${result.serverWaitPct} % waiting for a CPU; load generator ${result.generatorCpuPct} % + ${result.generatorWaitPct} % waiting (${result.clientProcs} client processes); saturated: ${result.saturated}; ${result.memory.perConnectionKB} KB RSS, ` +
        `${result.memory.heapPerConnectionKB} KB heap per connection`,
    );
    return result;
  } finally {
    await pool.stop();
    await server.stop();
    latency.destroy();
  }
}
