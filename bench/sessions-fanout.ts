/**
 * Live sessions fan-out — `npx tsx bench/sessions-fanout.ts` (options below).
 *
 * For each step of the plan (N subscribers, a publishing rate, repeated R times): one session, N
 * authenticated WebSocket subscribers to `sessions.events`, one publisher sending 200 chat
 * messages at the step's rate over HTTP (`sessions.sendMessage`); per-delivery latency from send
 * to receive, p50/p95/p99/max, and delivered/expected. Also: how long N people connecting at once
 * take until everyone's presence is known (batched `presence` events), server memory per
 * connection (RSS and V8 heap delta ÷ N, after forced collections), and `sessions.requestHelp`
 * delivery latency to the host (and to an admin's help inbox). Before each Pulse measurement, two
 * yardsticks, the same fan-out on the same core: bare `ws` (bench/lib/bare-ws-server.ts, a
 * `socket.send` per socket) and one pre-built frame written to every socket
 * (bench/lib/prebuilt-frame-server.ts: the machine's limit). Each measurement reports the server's
 * CPU and the load generator's (publisher + client processes), as % of one core, and which side
 * saturated.
 *
 * Processes: the server is `bench/lib/pulse-server.ts` (API-only `startPulse`, as for
 * `npm run bench`, NODE_ENV=production, silent logs, `--expose-gc` so that memory is sampled
 * after a collection), a fresh process per measurement, pinned to CPU 1. This process is the
 * publisher (a plain HTTP client) and holds three Pulse sockets (an observer of presence, the
 * host, an admin's help inbox); the N subscribers are held by K client processes
 * (bench/fanout/client-worker.ts; `--client-procs`, default one per 25,000 deliveries/s), each a
 * bare `ws` socket speaking tRPC's WebSocket protocol — all pinned to CPU 0. PostgreSQL is a
 * throwaway embedded cluster (or a throwaway database on DATABASE_URL) and is not pinned. The
 * pieces are in bench/fanout/.
 *
 * Timing is server-independent: the publisher puts `performance.timeOrigin + performance.now()`
 * into each message's text just before sending it, and each subscriber reads the same clock in
 * its own process the moment the frame arrives (on one machine these agree to well under a
 * millisecond: bench/fanout/stats.ts `clock`). Latency histograms are merged from the processes.
 *
 * Accounts are written straight into the database (bench/fanout/accounts.ts): signing thousands
 * up through argon2 would take minutes and measure nothing here.
 *
 * Options: --plan=1000@20x5,5000@4,5000@20 (N@rate[xR], comma-separated; the default is issue 15's targets)
 *          --runs=R (repeats of each step without its own xR; default 1)
 *          --n=1000,5000 --rate=20 (shorthand for a plan of those N at one rate)
 *          --messages=200 --help=100 --help-rate=10 --client-procs=K
 *          --connect-concurrency=50 --drain-seconds=15 (stop waiting for deliveries after this long
 *          without any) --settle-seconds=120
 *          --profile (write a --cpu-prof of the server to bench/results/profiles/)
 *          --server-args="--max-semi-space-size=64" (extra node options for the server)
 *          --priority=-10 (as root: this process, the servers and PostgreSQL at a higher scheduling
 *                          priority than other work on a shared machine, as `npm run bench` does)
 *          --no-pin --no-write (print only)
 * bench/fanout-heap.ts says where a connection's heap bytes go (heap snapshots).
 */
import { parseArgs } from "node:util";
import { pulseRun } from "./fanout/pulse-run.js";
import { ratio, toResult, updateSection, worstByStep } from "./fanout/report.js";
import { log, round, thousands } from "./fanout/stats.js";
import type { FanoutSettings, PlanStep, RunResult } from "./fanout/types.js";
import { yardstick } from "./fanout/yardstick.js";
import type { Account } from "./fanout/accounts.js";
import { openBenchDatabase, type BenchDatabase } from "./lib/database.js";
import { hasTaskset, pinProcess, setOwnPriority } from "./lib/processes.js";
import { environment, updateReadme, writeResult } from "./lib/report.js";

const DEFAULT_PLAN = "1000@20x5,5000@4,5000@20";

const { values: args } = parseArgs({
  options: {
    plan: { type: "string" },
    runs: { type: "string", default: "1" },
    n: { type: "string" },
    rate: { type: "string", default: "20" },
    messages: { type: "string", default: "200" },
    help: { type: "string", default: "100" },
    "help-rate": { type: "string", default: "10" },
    "client-procs": { type: "string" },
    "connect-concurrency": { type: "string", default: "50" },
    "drain-seconds": { type: "string", default: "15" },
    "settle-seconds": { type: "string", default: "120" },
    profile: { type: "boolean", default: false },
    "server-args": { type: "string", default: "" },
    "no-pin": { type: "boolean", default: false },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});

/** "1000@20x5,5000@4" → steps; an entry without "xR" runs `--runs` times. */
function parsePlan(text: string, defaultRuns: number): PlanStep[] {
  return text.split(",").flatMap((entry) => {
    const match = /^\s*(\d+)@(\d+(?:\.\d+)?)(?:x(\d+))?\s*$/.exec(entry);
    if (!match) throw new Error(`--plan entry "${entry}" is not N@rate or N@ratexR (e.g. 1000@20x5)`);
    const [n, ratePerS, runs] = [Number(match[1]), Number(match[2]), match[3] ? Number(match[3]) : defaultRuns];
    if (n < 1 || ratePerS <= 0 || runs < 1) throw new Error(`--plan entry "${entry}": N, rate and runs must be positive`);
    return Array.from({ length: runs }, (_, i) => ({ n, ratePerS, run: i + 1, runs }));
  });
}

const positive = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${value})`);
  return n;
};

const planText = args.plan ?? (args.n ? args.n.split(",").map((n) => `${n.trim()}@${args.rate}`).join(",") : DEFAULT_PLAN);
const plan = parsePlan(planText, positive("runs", args.runs));
const passedOptions = process.argv.slice(2).filter((a) => !a.startsWith("--no-write"));
const COMMAND = `npx tsx bench/sessions-fanout.ts${passedOptions.length ? ` ${passedOptions.join(" ")}` : ""}`;

async function main() {
  const started = performance.now();
  const env = environment();
  log(`Node ${env.node}, ${env.cpuCount} CPUs, load average ${env.loadAverageAtStart}; plan ${planText} (${plan.length} measurements)`);
  if (env.loadAverageAtStart > 1) log(`warning: the machine is busy (load average ${env.loadAverageAtStart}); figures will be noisy`);
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  if (priority !== undefined) {
    // Before PostgreSQL and the servers start: they inherit it.
    if (setOwnPriority(priority)) log(`priority: nice ${priority} for this process and everything it starts`);
    else throw new Error(`could not set priority ${priority} (raising it needs root)`);
  }
  let database: BenchDatabase | undefined;
  const runs: RunResult[] = [];
  let pinned = false;
  const settings: FanoutSettings = {
    messages: positive("messages", args.messages),
    help: positive("help", args.help),
    helpRate: positive("help-rate", args["help-rate"]),
    concurrency: positive("connect-concurrency", args["connect-concurrency"]),
    drainMs: positive("drain-seconds", args["drain-seconds"]) * 1000,
    settleMs: positive("settle-seconds", args["settle-seconds"]) * 1000,
    serverArgs: args["server-args"].split(" ").filter(Boolean),
    profile: args.profile,
    clientProcs: args["client-procs"] === undefined ? undefined : positive("client-procs", args["client-procs"]),
    serverCpu: undefined,
    generatorCpu: undefined,
  };
  try {
    database = await openBenchDatabase();
    log(`database: ${database.kind}`);
    // After PostgreSQL started, so that it is not pinned with us.
    pinned = !args["no-pin"] && hasTaskset() && pinProcess(process.pid, 0);
    if (pinned) [settings.serverCpu, settings.generatorCpu] = [1, 0];
    const admin: { account?: Account } = {};
    for (const step of plan) {
      log(`── N = ${thousands(step.n)} at ${step.ratePerS}/s, run ${step.run} of ${step.runs}`);
      const bareWs = await yardstick("bare-ws", step.n, step.ratePerS, settings);
      const prebuilt = await yardstick("prebuilt-frame", step.n, step.ratePerS, settings);
      const pulse = await pulseRun(step, database, settings, admin);
      runs.push({ ...pulse, bareWs, prebuilt, cpuRatioToPrebuilt: ratio(pulse.fanout.serverCpuMicrosecondsPerDelivery, prebuilt.serverCpuMicrosecondsPerDelivery) });
    }
  } finally {
    await database?.close();
  }
  const result = toResult(env, runs, settings, COMMAND, planText, pinned, priority);
  if (!args["no-write"]) {
    writeResult(result);
    updateReadme();
    updateSection(result);
  }
  console.log("");
  for (const f of result.figures) console.log(`${f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
  for (const note of result.notes) console.log(`      ${note}`);
  for (const w of worstByStep(runs)) console.log(`      worst of ${w.runs} at N = ${thousands(w.n)}, ${w.ratePerS}/s: p99 ${w.worstP99} ms, ${w.minDeliveredPct} % delivered, CPU ÷ pre-built ${w.worstRatio ?? "?"} ×`);
  console.log(`\n${args["no-write"] ? "Not written (--no-write)." : "Wrote bench/results/sessions-fanout.json and bench/README.md."} Took ${round((performance.now() - started) / 1000, 1)} s.`);
  if (result.figures.some((f) => !f.pass)) process.exitCode = 1;
}

await main();
