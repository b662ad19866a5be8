/**
 * `node --expose-gc --import tsx bench/measurement.ts [--priority=-10] [--no-write]` — what
 * measuring costs (issue 12's benchmark).
 *
 *   (m) throughput: GET /api/trpc/health.ping, requests/s, on two Pulse servers that differ only
 *       in ANALYTICS_MEASURE (on: every call recorded, flushed every 5 s, request log sampled at
 *       200/s; off: record() returns at once, no timers), on the same database and the same core,
 *       in alternating rounds, with bench/run.ts's autocannon settings; the bare node:http
 *       server of bench/run.ts measured in the same rounds as a yardstick.
 *   (m) memory: a Measurements instance in this process, on a clock of its own, driven through
 *       60 simulated minutes of traffic over 200 distinct routes, flushed to the real database at
 *       each minute's end; the heap it holds afterwards (after a GC), and the peak during the hour.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { DatabaseAvailability } from "@/server/db/availability";
import { createLogger } from "@/server/log";
import { ConnectionCount } from "@/server/metrics/connections";
import { Measurements, type CallRecord } from "@/server/metrics/measurements";
import { openBenchDatabase } from "./lib/database.js";
import { measure, type LoadResult, type LoadSettings } from "./lib/http.js";
import { hasTaskset, pinProcess, setOwnPriority, startServer, type ServerProcess } from "./lib/processes.js";
import { environment, figure, updateReadme, writeResult, type BenchResult, type Environment } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "6" },
    duration: { type: "string", default: "4" },
    warmup: { type: "string", default: "5" },
    connections: { type: "string", default: "100" },
    pipelining: { type: "string", default: "10" },
    routes: { type: "string", default: "200" },
    minutes: { type: "string", default: "60" },
    "calls-per-route-minute": { type: "string", default: "60" },
    "no-pin": { type: "boolean", default: false },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
    only: { type: "string", default: "http,memory" },
  },
});

const only = new Set(args.only.split(",").map((s) => s.trim()));
const COMMAND = `node --expose-gc --import tsx bench/measurement.ts${args.priority === undefined ? "" : ` --priority=${args.priority}`}`;
const PING_PATH = "/api/trpc/health.ping";
const settingsCommon: Record<string, unknown> = {};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
const cpuUs = (run: LoadResult) => (run.serverCpu === undefined || run.requestsPerSecond === 0 ? undefined : (run.serverCpu * 1e6) / run.requestsPerSecond);

// ── throughput ─────────────────────────────────────────────────────────────────────────

async function benchThroughput(env: Environment, databaseUrl: string, cpu: number | undefined): Promise<BenchResult> {
  const start = (measureCalls: boolean) =>
    startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: databaseUrl, ANALYTICS_MEASURE: measureCalls ? "1" : "0" }, cpu });
  const on = await start(true);
  const off = await start(false);
  const bare = await startServer("lib/bare-server.ts", { cpu });
  try {
    for (const server of [on, off]) {
      const response = await fetch(server.url + PING_PATH);
      if (response.status !== 200) throw new Error(`health.ping answered ${response.status}`);
    }
    const settings: LoadSettings = { connections: Number(args.connections), pipelining: Number(args.pipelining), durationS: Number(args.duration), warmupS: 0 };
    const warmup = { ...settings, durationS: Number(args.warmup) };
    log(`http: warming up the three servers (${warmup.durationS} s each)`);
    await measure(bare, "/", warmup);
    await measure(on, PING_PATH, warmup);
    await measure(off, PING_PATH, warmup);

    const rounds = Number(args.rounds);
    const runs: Record<"on" | "off" | "bare", LoadResult[]> = { on: [], off: [], bare: [] };
    const servers: Record<"on" | "off" | "bare", ServerProcess> = { on, off, bare };
    for (let r = 0; r < rounds; r++) {
      // Alternate the order: drift on a shared machine hits both sides alike.
      const order = r % 2 === 0 ? (["on", "off", "bare"] as const) : (["off", "on", "bare"] as const);
      for (const which of order) runs[which].push(await measure(servers[which], which === "bare" ? "/" : PING_PATH, settings));
      const [a, b] = [runs.on[r]!, runs.off[r]!];
      log(
        `http: round ${r + 1}/${rounds}: measuring on ${thousands(a.requestsPerSecond)} req/s (${round(cpuUs(a) ?? NaN, 1)} µs CPU each), ` +
          `off ${thousands(b.requestsPerSecond)} req/s (${round(cpuUs(b) ?? NaN, 1)} µs), on/off ${round(a.requestsPerSecond / b.requestsPerSecond, 3)}; ` +
          `bare ${thousands(runs.bare[r]!.requestsPerSecond)} req/s`,
      );
    }
    const ratios = runs.on.map((run, i) => run.requestsPerSecond / runs.off[i]!.requestsPerSecond);
    const ratio = round(median(ratios), 3);
    const slowerPercent = round((1 - ratio) * 100, 1);
    const rps = (which: "on" | "off" | "bare") => median(runs[which].map((run) => run.requestsPerSecond));
    const cost = (which: "on" | "off" | "bare") => {
      const costs = runs[which].map(cpuUs).filter((c): c is number => c !== undefined);
      return costs.length ? round(median(costs), 1) : undefined;
    };
    const failed = [...runs.on, ...runs.off].reduce((n, run) => n + run.non2xx + run.errors + run.timeouts, 0);
    const f = figure(
      "(m) measurement: `health.ping` req/s, measuring on ÷ off",
      slowerPercent,
      "% slower",
      `${slowerPercent} % slower (${thousands(rps("on"))} vs ${thousands(rps("off"))} req/s, ratio ${ratio}×)`,
      "<",
      5,
      "< 5 % slower",
    );
    if (failed) f.pass = false;
    const costOn = cost("on");
    const costOff = cost("off");
    return {
      name: "measurement-throughput",
      title: "(m) The cost of measurement: health.ping with measuring on vs off",
      date: new Date().toISOString(),
      command: COMMAND,
      environment: env,
      settings: {
        ...settingsCommon,
        tool: "autocannon 8.0.0 (programmatic, in the load-generator process)",
        connections: settings.connections,
        pipelining: settings.pipelining,
        durationSPerRound: settings.durationS,
        warmupS: warmup.durationS,
        rounds,
        servers: "two API-only Pulse servers (startPulse, NODE_ENV=production, LOG_LEVEL=silent) on one database and one core, ANALYTICS_MEASURE=1 and =0; bench/lib/bare-server.ts as yardstick",
      },
      figures: [f],
      details: {
        ratioPerRound: ratios.map((r) => round(r, 3)),
        requestsPerSecond: { on: rps("on"), off: rps("off"), bare: rps("bare") },
        serverCpuMicrosecondsPerRequest: { on: costOn, off: costOff, bare: cost("bare") },
        nonOkResponses: failed,
        runs,
      },
      notes: [
        `Median of ${rounds} rounds; each round measures the measuring server, the non-measuring one and bare node:http for ${settings.durationS} s each`,
        `(${settings.connections} connections, pipelining ${settings.pipelining}), alternating which Pulse goes first; per-round on/off ratios ${ratios.map((r) => round(r, 3)).join(", ")}.`,
        costOn !== undefined && costOff !== undefined
          ? `Server CPU per request: ${costOn} µs measuring, ${costOff} µs not (${round(costOn - costOff, 1)} µs, ${round(((costOn - costOff) / costOff) * 100, 1)} % more), bare node:http ${cost("bare")} µs — a cross-check that does not depend on other load on the machine.`
          : "",
        `Measuring includes each call's record (three histogram values: its route's minute, \`*\`, the current second), a request-log row (sampled past 200/s) and the flushes every 5 s to PostgreSQL.`,
      ].filter(Boolean),
    };
  } finally {
    await Promise.all([on.stop(), off.stop(), bare.stop()]);
  }
}

// ── memory ─────────────────────────────────────────────────────────────────────────────

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function benchMemory(env: Environment, databaseUrl: string): Promise<BenchResult> {
  if (!gc) throw new Error("run with node --expose-gc (see this file's header)");
  const routeCount = Number(args.routes);
  const minutes = Number(args.minutes);
  const perRouteMinute = Number(args["calls-per-route-minute"]);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // Quiet: the request-log buffer fills in simulated time (12,000 calls a minute) and says so.
  const logger = createLogger("error");
  const availability = new DatabaseAvailability(pool, logger);
  const instanceId = `bench-memory-${randomUUID().slice(0, 8)}`;
  // Simulated time: the last hour up to now, so that the rows are inside every retention window.
  const startAt = Math.floor(Date.now() / 60_000) * 60_000 - minutes * 60_000;
  let now = startAt;
  const routes = Array.from({ length: routeCount }, (_, i) => (i % 2 ? `trpc:bench.procedure${i}` : `GET page:/bench/${i}/:id`));
  const calls = routes.map(
    (route): CallRecord => ({ route, transport: "http", method: "GET", path: route, status: 200, code: null, durationMs: 0, userId: null, requestId: randomUUID() }),
  );

  try {
    const baseline = heapAfterGc();
    const measurements = new Measurements({ pool, log: logger, instanceId, availability, queueDepth: async () => 0, connections: new ConnectionCount(), enabled: true, clock: () => now });
    let peakHeld = 0;
    let recordNs = 0;
    let recorded = 0;
    let flushMs = 0;
    for (let minute = 0; minute < minutes; minute++) {
      const minuteStart = startAt + minute * 60_000;
      const total = routeCount * perRouteMinute;
      const started = process.hrtime.bigint();
      for (let i = 0; i < total; i++) {
        // Spread over the minute; durations from 0.2 ms to ~50 ms, a few failures.
        now = minuteStart + Math.floor((i / total) * 60_000);
        const call = calls[i % routeCount]!;
        call.durationMs = 0.2 + ((i * 7919) % 5000) / 100;
        call.status = i % 97 === 0 ? 500 : i % 31 === 0 ? 404 : 200;
        measurements.record(call);
      }
      recordNs += Number(process.hrtime.bigint() - started);
      recorded += total;
      // At the minute's end: the last second of it (so the minute is still current), then just past it.
      const heldNow = heapAfterGc() - baseline;
      peakHeld = Math.max(peakHeld, heldNow);
      now = minuteStart + 60_000 + 1;
      const flushStarted = performance.now();
      await measurements.flush();
      flushMs += performance.now() - flushStarted;
      if (minute % 10 === 9) log(`memory: ${minute + 1}/${minutes} simulated minutes, ${round(heldNow / 2 ** 20, 2)} MiB held at the minute's end`);
    }
    const heldAfter = heapAfterGc() - baseline;
    const held = measurements.held();
    const [stored] = (
      await pool.query<{ rows: number; count: string }>(`SELECT count(*)::int AS rows, sum(count)::bigint AS count FROM "MetricMinute" WHERE instance = $1 AND route <> '*'`, [instanceId])
    ).rows;
    if (Number(stored?.count) !== recorded) throw new Error(`stored ${stored?.count} calls, recorded ${recorded}`);
    await measurements.stop();

    const mib = (bytes: number) => round(bytes / 2 ** 20, 2);
    const f = figure(
      "(m) measurement: heap held after 1 h over 200 routes",
      mib(heldAfter),
      "MiB",
      `${mib(heldAfter)} MiB after the hour (peak ${mib(peakHeld)} MiB at a minute's end, ${held.minutes} minute(s) in memory)`,
      "<",
      32,
      "< 32 MiB",
    );
    return {
      name: "measurement-memory",
      title: "(m) Memory of the in-process histograms: one hour over 200 routes",
      date: new Date().toISOString(),
      command: COMMAND,
      environment: env,
      settings: { routes: routeCount, simulatedMinutes: minutes, callsPerRouteMinute: perRouteMinute, histogram: "hdr-histogram-js 3.0.1, 32-bit buckets, 1 µs..1 h, 2 significant digits" },
      figures: [f],
      details: {
        heldAfterHourBytes: heldAfter,
        peakHeldAtMinuteEndBytes: peakHeld,
        heldInMemory: held,
        recordedCalls: recorded,
        storedMinuteRows: stored?.rows,
        recordNanosecondsPerCall: round(recordNs / recorded, 1),
        flushMillisecondsPerMinute: round(flushMs / minutes, 1),
      },
      notes: [
        `A Measurements instance on a clock of its own, driven through ${minutes} simulated minutes: ${perRouteMinute} calls per route and minute over ${routeCount} routes`,
        `(${thousands(recorded)} calls, durations 0.2–50 ms, ~1 % 500s, ~3 % 404s), flushed to PostgreSQL after each minute (${stored?.rows} MetricMinute rows, every call accounted for).`,
        `Heap is measured after two forced GCs, against a baseline taken before the instance existed: at each minute's end (the minute's ${routeCount + 1} histograms, the per-second ring, the request-log buffer) and after the hour (written minutes are dropped).`,
        `record() took ${round(recordNs / recorded, 1)} ns per call here — every call of this simulation is also a request-log row (200 a simulated second is the log's cap) and 4 % are errors, so this is the slow path; the throughput figure's CPU cross-check is the fast one. A flush of a full minute (201 histograms, up to 10,000 log rows) took ${round(flushMs / minutes, 1)} ms.`,
      ],
    };
  } finally {
    availability.close();
    await pool.end();
  }
}

// ── main ───────────────────────────────────────────────────────────────────────────────

async function main() {
  const env = environment();
  log(`Node ${env.node}, ${env.cpuCount} CPUs, load average ${env.loadAverageAtStart}`);
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  if (priority !== undefined && !setOwnPriority(priority)) throw new Error(`could not set priority ${priority} (raising it needs root)`);
  settingsCommon.priority = priority === undefined ? "default" : `nice ${priority} (load generator, servers and PostgreSQL)`;

  const database = await openBenchDatabase();
  const results: BenchResult[] = [];
  try {
    let cpu: number | undefined;
    if (!args["no-pin"] && hasTaskset() && pinProcess(process.pid, 0)) cpu = 1;
    settingsCommon.pinning = cpu === undefined ? "none" : "servers on CPU 1, load generator on CPU 0, PostgreSQL unpinned";
    if (only.has("http")) results.push(await benchThroughput(env, database.url, cpu));
    if (only.has("memory")) {
      if (!only.has("http")) {
        // The tables come with a server's start-up migration.
        const server = await startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: database.url } });
        await server.stop();
      }
      results.push(await benchMemory(env, database.url));
    }
  } finally {
    await database.close();
  }
  if (!args["no-write"]) {
    for (const result of results) writeResult(result);
    updateReadme();
  }
  console.log("");
  for (const r of results) for (const f of r.figures) console.log(`${f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
  for (const r of results) for (const note of r.notes) console.log(`  ${note}`);
}

await main();
