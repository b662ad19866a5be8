/**
 * `npm run bench` — Pulse's benchmarks. Writes bench/results/<name>.json and regenerates the
 * table in bench/README.md.
 *
 *   (a) http-ping:   GET /api/trpc/health.ping through the whole server, requests/s with
 *                    autocannon, beside a bare node:http hello-world under the same load, as a ratio
 *   (b) ws-connect:  WebSocket connect + authenticate (API token in connection params) + first
 *                    `health.live` event: p50/p95/p99 over 500 connections
 *   (c) memory-idle: resident memory of the server process after start, idle; and, reported beside it
 *                    (no target), the whole server with Next's pages when a production build exists
 *   (b) also: cold — a freshly started server's first 100 connections, a figure of its own
 *
 * The server (API-only: `startPulse`, no Next) and the bare server each run in their own
 * process, compiled by esbuild and run by plain node as `npm start` runs the server (no tsx), pinned to the second core; this process — the load generator — is pinned to the
 * first. PostgreSQL is a throwaway embedded cluster (or a throwaway database on DATABASE_URL)
 * and is not pinned.
 *
 * Options: --only=http,ws,memory  --rounds=5  --duration=4 (s per round and server)
 *          --connections=100 --pipelining=10  --ws-connections=500 --ws-concurrency=20 --ws-warmup=2000
 *          --no-pin  --no-write (print only)
 *          --cpu-prof  (profile the server while it is measured — the HTTP rounds, the WebSocket run —
 *                       into bench/results/profiles/<figure>-<time>.cpuprofile; a profiled server is
 *                       slower, so such a run writes no results)
 *          --priority=-10  (as root: run everything — PostgreSQL, servers, load generator — at a
 *                           higher scheduling priority than other work on a shared machine)
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { createPulseClient } from "@/trpc/client";
import { openBenchDatabase, type BenchDatabase } from "./lib/database.js";
import { measure, type LoadResult, type LoadSettings } from "./lib/http.js";
import { hasTaskset, pinProcess, projectDir, setOwnPriority, startServer, type ServerProcess } from "./lib/processes.js";
import { environment, figure, reportedFigure, resultsDir, updateReadme, writeResult, type BenchResult, type Environment } from "./lib/report.js";
import { measureConnect, openSubscribed, type ConnectResult } from "./lib/ws.js";

const { values: args } = parseArgs({
  options: {
    only: { type: "string", default: "http,ws,memory" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "4" },
    warmup: { type: "string", default: "5" },
    connections: { type: "string", default: "100" },
    pipelining: { type: "string", default: "10" },
    "ws-connections": { type: "string", default: "500" },
    "ws-concurrency": { type: "string", default: "20" },
    "ws-warmup": { type: "string", default: "2000" },
    "idle-seconds": { type: "string", default: "5" },
    "no-pin": { type: "boolean", default: false },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
    "cpu-prof": { type: "boolean", default: false },
  },
});

const only = new Set(args.only.split(",").map((s) => s.trim()));
// A profiled run measures a slower server: never let it overwrite the published figures.
const write = !args["no-write"] && !args["cpu-prof"];
const COMMAND = args.priority === undefined ? "npm run bench" : `npm run bench -- --priority=${args.priority}`;
/** Settings every result records. */
const settingsCommon: Record<string, unknown> = {};
const PING_PATH = "/api/trpc/health.ping";
const ACCOUNTS = 5;
/** Issue 15's "cold": the first 100 connections after the server started. */
const COLD_CONNECTIONS = 100;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/**
 * Runs `work` with the server's CPU profiler on, when --cpu-prof asks for it; the profile goes to
 * bench/results/profiles/<name>-<time>.cpuprofile (open it in Chrome DevTools or speedscope).
 */
async function profiled<T>(pulse: ServerProcess, name: string, work: () => Promise<T>): Promise<T> {
  if (!args["cpu-prof"]) return work();
  const file = path.join(resultsDir, "profiles", `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
  await pulse.ask("profile-start", {}, 10_000);
  try {
    return await work();
  } finally {
    if (await pulse.ask("profile-stop", { file }, 30_000)) log(`profile: ${path.relative(process.cwd(), file)}`);
    else log("profile: the server did not write one");
  }
}

function pinning(): { loadGenerator?: number; servers?: number } {
  if (args["no-pin"] || !hasTaskset()) return {};
  return pinProcess(process.pid, 0) ? { loadGenerator: 0, servers: 1 } : {};
}

// ── (c) memory ─────────────────────────────────────────────────────────────────────────

async function benchMemory(env: Environment, pulse: ServerProcess, startedAt: number): Promise<BenchResult> {
  const idleS = Number(args["idle-seconds"]);
  const waitMs = Math.max(0, startedAt + idleS * 1000 - Date.now());
  log(`memory: idling ${round(waitMs / 1000, 1)} s, then sampling RSS`);
  await sleep(waitMs);
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(500);
    samples.push(await pulse.rss());
  }
  const rss = median(samples);
  const usage = await pulse.memoryUsage();
  const mb = (bytes: number) => round(bytes / 1e6, 1);
  return {
    name: "memory-idle",
    title: "(c) Resident memory, idle after start",
    date: new Date().toISOString(),
    command: COMMAND,
    environment: env,
    settings: { ...settingsCommon, idleSecondsAfterReady: idleS, samples: 3, mode: "API-only (startPulse without Next), NODE_ENV=production, compiled by esbuild and run by plain node as `npm start` runs dist/server/main.js" },
    figures: [figure("(c) server RSS, idle after start", mb(rss), "MB", `${mb(rss)} MB (${round(rss / 2 ** 20, 1)} MiB)`, "<", 100, "< 100 MB")],
    details: {
      rssBytes: rss,
      rssSamplesBytes: samples,
      memoryUsage: usage,
    },
    notes: [
      `RSS of the server process (kernel VmRSS, median of 3 samples) ${idleS} s after it was listening, before any load;`,
      "the embedded PostgreSQL is a separate process and not included. `details.rssAfterBenchmarksBytes` is the RSS once the HTTP and WebSocket benchmarks are over.",
    ],
  };
}

/** The idle RSS of the whole server, pages included (Next's production build), beside the API's: reported, not a target. */
async function measureWholeServer(memory: BenchResult, databaseUrl: string, cpu: number | undefined): Promise<void> {
  if (!fs.existsSync(path.join(projectDir, ".next/BUILD_ID"))) {
    log("memory: no production build of the pages (.next/BUILD_ID): the whole server's RSS is not measured (run `next build` first)");
    return;
  }
  const idleS = Number(args["idle-seconds"]);
  const whole = await startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: databaseUrl, BENCH_WITH_NEXT: "1" }, cpu, bundled: true });
  try {
    const readyAt = Date.now();
    const page = await fetch(whole.url + "/");
    await page.arrayBuffer();
    // Idle as long as the API-only server was, counted from ready; the page request shows Next is there, not what it costs later.
    await sleep(Math.max(0, readyAt + idleS * 1000 - Date.now()));
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      if (i) await sleep(500);
      samples.push(await whole.rss());
    }
    const rss = median(samples);
    const mb = round(rss / 1e6, 1);
    log(`memory: the whole server with Next: ${mb} MB idle (GET / answered ${page.status})`);
    memory.figures.push(reportedFigure("(c) whole server with Next (pages), RSS idle after start", mb, "MB", `${mb} MB (${round(rss / 2 ** 20, 1)} MiB; GET / ${page.status})`));
    memory.details.wholeServer = { rssBytes: rss, rssSamplesBytes: samples, firstPageStatus: page.status };
  } finally {
    await whole.stop();
  }
}

// ── (a) HTTP ───────────────────────────────────────────────────────────────────────────

async function benchHttp(env: Environment, pulse: ServerProcess, cpu: number | undefined): Promise<BenchResult> {
  const check = await fetch(pulse.url + PING_PATH);
  const body = (await check.json()) as { result?: { data?: { json?: { time?: unknown } } } };
  if (check.status !== 200 || typeof body.result?.data?.json?.time !== "number") {
    throw new Error(`health.ping answered ${check.status} ${JSON.stringify(body)}`);
  }

  const bare = await startServer("lib/bare-server.ts", { cpu, bundled: true });
  try {
    const rounds = Number(args.rounds);
    const settings: LoadSettings = {
      connections: Number(args.connections),
      pipelining: Number(args.pipelining),
      durationS: Number(args.duration),
      warmupS: 0,
    };
    const warmup = { ...settings, durationS: Number(args.warmup) };
    log(`http: warming up both servers (${warmup.durationS} s each)`);
    await measure(bare, "/", warmup);
    await measure(pulse, PING_PATH, warmup);

    const bareRuns: LoadResult[] = [];
    const pulseRuns: LoadResult[] = [];
    await profiled(pulse, "http-ping", async () => {
      for (let r = 0; r < rounds; r++) {
        // Alternate the order so that drift on a shared machine hits both sides alike.
        const order = r % 2 === 0 ? (["bare", "pulse"] as const) : (["pulse", "bare"] as const);
        for (const which of order) {
          if (which === "bare") bareRuns.push(await measure(bare, "/", settings));
          else pulseRuns.push(await measure(pulse, PING_PATH, settings));
        }
        const b = bareRuns[r]!;
        const p = pulseRuns[r]!;
        const us = (run: LoadResult) => (run.serverCpu === undefined ? "?" : round((run.serverCpu * 1e6) / run.requestsPerSecond, 1));
        log(
          `http: round ${r + 1}/${rounds}: bare ${thousands(b.requestsPerSecond)} req/s (${us(b)} µs CPU each), ` +
            `health.ping ${thousands(p.requestsPerSecond)} req/s (${us(p)} µs), ratio ${round(p.requestsPerSecond / b.requestsPerSecond, 3)}`,
        );
      }
    });

    const ratios = pulseRuns.map((p, i) => p.requestsPerSecond / bareRuns[i]!.requestsPerSecond);
    const ratio = round(median(ratios), 3);
    const bareRps = median(bareRuns.map((r) => r.requestsPerSecond));
    const pulseRps = median(pulseRuns.map((r) => r.requestsPerSecond));
    const cpuPerRequestUs = (runs: LoadResult[]) => {
      const costs = runs.filter((r) => r.serverCpu !== undefined && r.requestsPerSecond > 0).map((r) => (r.serverCpu! * 1e6) / r.requestsPerSecond);
      return costs.length ? round(median(costs), 1) : undefined;
    };
    const bareCost = cpuPerRequestUs(bareRuns);
    const pulseCost = cpuPerRequestUs(pulseRuns);
    const failed = pulseRuns.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);

    const f = figure(
      "(a) `health.ping` over HTTP ÷ bare node:http",
      ratio,
      "ratio",
      `${ratio}× (${thousands(pulseRps)} vs ${thousands(bareRps)} req/s)`,
      ">=",
      0.5,
      "≥ 0.5×",
    );
    if (failed) f.pass = false;
    return {
      name: "http-ping",
      title: "(a) health.ping over HTTP vs bare node:http",
      date: new Date().toISOString(),
      command: COMMAND,
      environment: env,
      settings: {
        ...settingsCommon,
        tool: "autocannon 8.0.0 (programmatic, one worker, in the load-generator process)",
        connections: settings.connections,
        pipelining: settings.pipelining,
        durationSPerRound: settings.durationS,
        warmupS: warmup.durationS,
        rounds,
        pulseUrl: PING_PATH,
        bare: "node:http hello-world answering {\"hello\":\"world\"} (bench/lib/bare-server.ts)",
        mode: "API-only (startPulse without Next), NODE_ENV=production, LOG_LEVEL=silent, anonymous requests",
      },
      figures: [f],
      details: {
        ratio,
        ratioPerRound: ratios.map((r) => round(r, 3)),
        requestsPerSecond: { pulse: pulseRps, bare: bareRps },
        serverCpuMicrosecondsPerRequest: { pulse: pulseCost, bare: bareCost },
        cpuCostRatio: bareCost && pulseCost ? round(bareCost / pulseCost, 3) : undefined,
        nonOkResponses: failed,
        runs: { pulse: pulseRuns, bare: bareRuns },
      },
      notes: [
        `Median of ${rounds} rounds; each round measures both servers for ${settings.durationS} s with the same autocannon settings`,
        `(${settings.connections} connections, pipelining ${settings.pipelining}), alternating which goes first.`,
        bareCost && pulseCost
          ? `Server CPU per request: ${pulseCost} µs for health.ping, ${bareCost} µs for bare node:http (ratio ${round(bareCost / pulseCost, 3)}), a cross-check that does not depend on other load on the machine.`
          : "",
      ].filter(Boolean),
    };
  } finally {
    await bare.stop();
  }
}

// ── (b) WebSocket ──────────────────────────────────────────────────────────────────────

async function createTokens(url: string): Promise<string[]> {
  const tokens: string[] = [];
  const stamp = Date.now();
  for (let i = 0; i < ACCOUNTS; i++) {
    const anonymous = createPulseClient({ url });
    const { token: login } = await anonymous.auth.signUp.mutate({
      email: `bench-${stamp}-${i}@example.com`,
      password: "benchmark password",
      name: `Bench ${i + 1}`,
    });
    const signedIn = createPulseClient({ url, token: login });
    const { token } = await signedIn.auth.createApiToken.mutate({ name: "benchmark" });
    const check = createPulseClient({ url, token });
    if (!(await check.auth.me.query())) throw new Error("a fresh API token did not authenticate");
    await Promise.all([anonymous.close(), signedIn.close(), check.close()]);
    tokens.push(token);
  }
  return tokens;
}

/** One connection, held open while the server is asked whether its socket is authenticated. */
async function verifySocketAuthentication(pulse: ServerProcess, token: string): Promise<boolean> {
  const before = await pulse.ask<{ authenticated: number }>("sockets");
  const socket = await openSubscribed(pulse.url, token, 10_000);
  try {
    const during = await pulse.ask<{ authenticated: number }>("sockets");
    return (during?.authenticated ?? 0) > (before?.authenticated ?? 0);
  } finally {
    socket.close();
  }
}

/** The first connections a freshly started server takes: its own process, the same database and accounts. */
async function coldConnects(databaseUrl: string, cpu: number | undefined, tokens: string[], settings: { concurrency: number; timeoutMs: number }) {
  const fresh = await startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: databaseUrl }, cpu, bundled: true });
  try {
    const cpuBefore = fresh.cpuMs();
    const result = await measureConnect(fresh.url, tokens, { ...settings, connections: COLD_CONNECTIONS, warmup: 0, client: "protocol" });
    const cpuAfter = fresh.cpuMs();
    const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? round((cpuAfter - cpuBefore) / COLD_CONNECTIONS, 2) : undefined;
    return { result, cpuMs };
  } finally {
    await fresh.stop();
  }
}

async function benchWs(env: Environment, pulse: ServerProcess, databaseUrl: string, cpu: number | undefined): Promise<BenchResult> {
  log(`ws: creating ${ACCOUNTS} accounts with an API token each`);
  const tokens = await createTokens(pulse.url);
  if (!(await verifySocketAuthentication(pulse, tokens[0]!))) {
    throw new Error("the server did not register the benchmark's socket as authenticated");
  }

  const settings = {
    connections: Number(args["ws-connections"]),
    concurrency: Number(args["ws-concurrency"]),
    warmup: Number(args["ws-warmup"]),
    timeoutMs: 10_000,
  };
  log(`ws: cold: a fresh server's first ${COLD_CONNECTIONS} connections, ${settings.concurrency} at a time`);
  const { result: cold, cpuMs: coldCpuMsPerConnection } = await coldConnects(databaseUrl, cpu, tokens, settings);
  log(`ws: cold p50 ${cold.latencyMs.p50} ms, p95 ${cold.latencyMs.p95} ms, server CPU ${coldCpuMsPerConnection ?? "?"} ms per connection`);
  // Warm-up apart from the timed run, so that the server's CPU per connection is the timed run's. A
  // server that has not served WebSockets yet takes about 2,000 connections for its JIT to settle
  // (its CPU per connection falls about threefold); the warm-up's own latencies are kept too.
  log(`ws: warming up with ${settings.warmup} connections, ${settings.concurrency} at a time`);
  const warmupRun = await measureConnect(pulse.url, tokens, { ...settings, connections: settings.warmup, warmup: 0, client: "protocol" });
  log(`ws: warm-up p50 ${warmupRun.latencyMs.p50} ms, p95 ${warmupRun.latencyMs.p95} ms; ${settings.connections} connections, ${settings.concurrency} at a time (protocol client)`);
  const cpuBefore = pulse.cpuMs();
  const result = await profiled(pulse, "ws-connect", () => measureConnect(pulse.url, tokens, { ...settings, warmup: 0, client: "protocol" }));
  const cpuAfter = pulse.cpuMs();
  const serverCpuMsPerConnection = cpuBefore !== undefined && cpuAfter !== undefined ? round((cpuAfter - cpuBefore) / settings.connections, 2) : undefined;
  log(
    `ws: p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, server CPU ${serverCpuMsPerConnection ?? "?"} ms per connection; ` +
      "one at a time, then with the typed client",
  );
  const unloaded: ConnectResult = await measureConnect(pulse.url, tokens, { ...settings, connections: 200, concurrency: 1, warmup: 0, client: "protocol" });
  // The server is warm by now; these warm up the typed client in this process.
  const typed: ConnectResult = await measureConnect(pulse.url, tokens, { ...settings, warmup: 100, client: "typed" });
  const l = result.latencyMs;
  const f = figure(
    "(b) WebSocket connect + auth + first event, warm, p95",
    l.p95,
    "ms",
    `p95 ${l.p95} ms (p50 ${l.p50}, p99 ${l.p99}, max ${l.max})`,
    "<",
    25,
    "p95 < 25 ms",
  );
  if (result.failed) f.pass = false;
  const c = cold.latencyMs;
  const coldFigure = figure(
    "(b) WebSocket connect + auth + first event, cold server (first 100), p95",
    c.p95,
    "ms",
    `p95 ${c.p95} ms (p50 ${c.p50}, p99 ${c.p99}, max ${c.max})`,
    "<",
    50,
    "p95 < 50 ms",
  );
  if (cold.failed) coldFigure.pass = false;
  return {
    name: "ws-connect",
    title: "(b) WebSocket connect + authenticate + first subscription event",
    date: new Date().toISOString(),
    command: COMMAND,
    environment: env,
    settings: {
      ...settingsCommon,
      ...settings,
      client:
        "protocol: a bare `ws` socket per connection speaking tRPC's WebSocket protocol as createWSClient does " +
        "(?connectionParams=1, a connectionParams message with the token, a subscription request); " +
        "typed (secondary): a new createPulseClient per connection",
      authentication: `API token of a real account in connectionParams (${ACCOUNTS} accounts, round-robin); checked server-side that such a socket is registered as authenticated`,
      subscription: "health.live (yields a health snapshot at once)",
      histogram: "hdr-histogram-js, microsecond resolution, 3 significant digits",
      measured: "from opening the socket (or creating the client) to the first event's arrival; closing afterwards is not timed",
    },
    figures: [f, coldFigure],
    details: { protocol: result, serverCpuMsPerConnection, oneAtATime: unloaded, typed, warmup: warmupRun, cold },
    notes: [
      `${result.ok} connections, ${settings.concurrency} at a time, after ${settings.warmup} warm-up connections (not in the figure); ` +
        `${result.failed} failed. Each opens a socket, authenticates with an API token in its connection params, subscribes ` +
        `to health.live and stops the clock at its first event. With the typed client (createPulseClient per connection, ` +
        `its own set-up on the load generator's core included): p50 ${typed.latencyMs.p50} ms, p95 ${typed.latencyMs.p95} ms, ` +
        `p99 ${typed.latencyMs.p99} ms, ${typed.failed} failed.`,
      `Cold: a server started for it (the same database and accounts), its first ${cold.ok + cold.failed} connections from the moment it said ready, ` +
        `${settings.concurrency} at a time, ${cold.failed} failed: p50 ${cold.latencyMs.p50} ms, p95 ${cold.latencyMs.p95} ms, p99 ${cold.latencyMs.p99} ms` +
        (coldCpuMsPerConnection ? `, ${coldCpuMsPerConnection} ms of server CPU per connection.` : "."),
      `The warm-up on the main server, which had served HTTP but no WebSocket yet (${warmupRun.ok} connections, ${settings.concurrency} at a time, ${warmupRun.failed} failed): ` +
        `p50 ${warmupRun.latencyMs.p50} ms, p95 ${warmupRun.latencyMs.p95} ms, p99 ${warmupRun.latencyMs.p99} ms.`,
      `One connection at a time (200, protocol client): p50 ${unloaded.latencyMs.p50} ms, p95 ${unloaded.latencyMs.p95} ms, ` +
        `p99 ${unloaded.latencyMs.p99} ms — at 20 at a time the difference is queueing on the server's one core` +
        (serverCpuMsPerConnection ? `, which spends ${serverCpuMsPerConnection} ms of CPU per connection.` : "."),
    ],
  };
}

// ── main ───────────────────────────────────────────────────────────────────────────────

async function main() {
  const started = performance.now();
  const env = environment();
  log(`Node ${env.node}, ${env.cpuCount} CPUs, load average ${env.loadAverageAtStart}`);
  if (env.loadAverageAtStart > 1) log(`warning: the machine is busy (load average ${env.loadAverageAtStart}); figures will be noisy`);

  // Before anything starts: PostgreSQL and the servers inherit it.
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  if (priority !== undefined) {
    if (setOwnPriority(priority)) log(`priority: nice ${priority} for this process and everything it starts`);
    else throw new Error(`could not set priority ${priority} (raising it needs root)`);
  }
  settingsCommon.priority = priority === undefined ? "default" : `nice ${priority} (load generator, servers and PostgreSQL)`;

  let database: BenchDatabase | undefined;
  let pulse: ServerProcess | undefined;
  const results: BenchResult[] = [];
  try {
    database = await openBenchDatabase();
    log(`database: ${database.kind}`);
    const cpus = pinning(); // after PostgreSQL started, so that it is not pinned with us
    settingsCommon.pinning = cpus.servers === undefined ? "none" : `server processes on CPU ${cpus.servers}, load generator on CPU ${cpus.loadGenerator}, PostgreSQL unpinned`;
    pulse = await startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: database.url }, cpu: cpus.servers, bundled: true });
    const readyAt = Date.now();
    log(`server: ${pulse.url} (pid ${pulse.pid}${cpus.servers === undefined ? "" : `, CPU ${cpus.servers}`})`);

    if (only.has("memory")) results.push(await benchMemory(env, pulse, readyAt));
    if (only.has("http")) results.push(await benchHttp(env, pulse, cpus.servers));
    if (only.has("ws")) results.push(await benchWs(env, pulse, database.url, cpus.servers));

    const memory = results.find((r) => r.name === "memory-idle");
    if (memory) memory.details.rssAfterBenchmarksBytes = await pulse.rss();
    await pulse.stop();
    if (memory) await measureWholeServer(memory, database.url, cpus.servers);
  } finally {
    await pulse?.stop();
    await database?.close();
  }

  if (write) {
    for (const result of results) writeResult(result);
    updateReadme();
  }
  console.log("");
  for (const r of results) for (const f of r.figures) console.log(`${f.reported ? "INFO" : f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
  console.log(`\n${write ? "Wrote bench/results/*.json and bench/README.md." : `Not written (${args["cpu-prof"] ? "--cpu-prof" : "--no-write"}).`} Took ${round((performance.now() - started) / 1000, 1)} s.`);
  if (results.some((r) => r.figures.some((f) => !f.pass))) process.exitCode = 1;
}

await main();
