/**
 * `npx tsx bench/load-test.ts [--rounds=3] [--duration=10] [--connections=50] [--priority=-10] [--no-write]`
 * — does the in-app load tester measure what an outside tool measures? (issue 13's benchmark)
 *
 *   (l) The `http-read` shape (health.ping and sessions.list in turn, as the load-test account)
 *       against one API-only Pulse server, driven alternately by an external autocannon process
 *       (bench/lib/autocannon-process.ts: the same request list and headers) and by the in-app
 *       runner (`loadTest.start`, its child process), in the same rounds. Figures: requests/s and
 *       p50 latency of the in-app run ÷ the external run's, medians over the rounds; target within 10 %.
 *
 * The server is pinned to CPU 1; both load generators to CPU 0 (the in-app runner is the server's
 * child, so it is moved there as soon as it appears), so neither generator takes the server's core.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { createPulseClient } from "@/trpc/client";
import { openBenchDatabase } from "./lib/database.js";
import { benchDir, hasTaskset, pinProcess, projectDir, setOwnPriority, startServer, type ServerProcess } from "./lib/processes.js";
import { environment, figure, updateReadme, writeResult, type BenchResult } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    "no-pin": { type: "boolean", default: false },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});

const COMMAND = `npx tsx bench/load-test.ts${args.priority === undefined ? "" : ` --priority=${args.priority}`}`;
const run = promisify(execFile);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

interface Measured {
  requests: number;
  requestsPerS: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The server's child processes (the in-app runner, once it is started). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function external(server: ServerProcess, token: string, durationS: number, cpu: number | undefined): Promise<Measured> {
  const settings = JSON.stringify({ url: server.url, token, connections: Number(args.connections), durationS });
  const command = cpu === undefined ? process.execPath : "taskset";
  const argv = [...(cpu === undefined ? [] : ["-c", String(cpu), process.execPath]), "--import", "tsx", path.join(benchDir, "lib/autocannon-process.ts"), settings];
  const { stdout } = await run(command, argv, { cwd: projectDir, maxBuffer: 1 << 20 });
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Measured;
  return { ...result, requestsPerS: round(result.requestsPerS, 1) };
}

async function inApp(server: ServerProcess, client: ReturnType<typeof createPulseClient>, durationS: number, cpu: number | undefined): Promise<Measured> {
  const before = new Set(childrenOf(server.pid));
  const { runId } = await client.loadTest.start.mutate({ scenario: "http-read", connections: Number(args.connections), durationS });
  if (cpu !== undefined) {
    // Move the runner off the server's core as soon as it exists (it inherits the server's pinning).
    for (let i = 0; i < 100; i++) {
      const runner = childrenOf(server.pid).find((pid) => !before.has(pid));
      if (runner) {
        pinProcess(runner, cpu);
        break;
      }
      await sleep(10);
    }
  }
  for (;;) {
    const current = await client.loadTest.byId.query({ runId });
    if (current.status !== "running") {
      if (current.status !== "completed" || !current.result) throw new Error(`the in-app run ended ${current.status}: ${current.message}`);
      const r = current.result;
      return { requests: r.requests, requestsPerS: r.requestsPerS, p50: r.p50, p99: r.p99, errors: r.errors };
    }
    await sleep(250);
  }
}

async function main() {
  const env = environment();
  log(`Node ${env.node}, ${env.cpuCount} CPUs, load average ${env.loadAverageAtStart}`);
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  if (priority !== undefined && !setOwnPriority(priority)) throw new Error(`could not set priority ${priority} (raising it needs root)`);
  const database = await openBenchDatabase();
  let cpu: number | undefined;
  if (!args["no-pin"] && hasTaskset() && pinProcess(process.pid, 0)) cpu = 1;
  const server = await startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: database.url }, cpu });
  const rounds = Number(args.rounds);
  const durationS = Number(args.duration);
  const runs: { external: Measured[]; inApp: Measured[] } = { external: [], inApp: [] };
  try {
    const anonymous = createPulseClient({ url: server.url });
    const { token } = await anonymous.auth.signUp.mutate({ email: "bench-admin@example.com", password: "correct horse battery", name: "Bench admin" });
    await anonymous.close();
    const client = createPulseClient({ url: server.url, token });
    // The external generator uses the load-test account's kind of credential: an API token of a plain user.
    const user = createPulseClient({ url: server.url });
    const { token: userLogin } = await user.auth.signUp.mutate({ email: "bench-reader@example.com", password: "correct horse battery", name: "Bench reader" });
    await user.close();
    const reader = createPulseClient({ url: server.url, token: userLogin });
    const { token: apiToken } = await reader.auth.createApiToken.mutate({ name: "bench" });
    await reader.close();

    log("warming up (3 s external, 3 s in-app)");
    await external(server, apiToken, 3, cpu === undefined ? undefined : 0);
    await inApp(server, client, 3, cpu === undefined ? undefined : 0);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (["external", "inApp"] as const) : (["inApp", "external"] as const);
      for (const which of order) {
        runs[which].push(which === "external" ? await external(server, apiToken, durationS, cpu === undefined ? undefined : 0) : await inApp(server, client, durationS, cpu === undefined ? undefined : 0));
      }
      const [e, a] = [runs.external[r]!, runs.inApp[r]!];
      log(`round ${r + 1}/${rounds}: external ${thousands(e.requestsPerS)} req/s p50 ${e.p50} ms p99 ${e.p99} ms; in-app ${thousands(a.requestsPerS)} req/s p50 ${a.p50} ms p99 ${a.p99} ms`);
    }
    await client.close();
  } finally {
    await server.stop();
    await database.close();
  }

  const rpsRatios = runs.inApp.map((a, i) => a.requestsPerS / runs.external[i]!.requestsPerS);
  const p50Ratios = runs.inApp.map((a, i) => a.p50 / runs.external[i]!.p50);
  const p99Ratios = runs.inApp.map((a, i) => a.p99 / runs.external[i]!.p99);
  const rpsRatio = round(median(rpsRatios), 3);
  const p50Ratio = round(median(p50Ratios), 3);
  const p99Ratio = round(median(p99Ratios), 3);
  const med = (which: "external" | "inApp", key: keyof Measured) => round(median(runs[which].map((m) => m[key])), 2);
  const off = (ratio: number) => round(Math.abs(1 - ratio) * 100, 1);
  const errors = [...runs.external, ...runs.inApp].reduce((n, m) => n + m.errors, 0);
  const rpsFigure = figure(
    "(l) load tests: in-app `http-read` req/s vs external autocannon",
    off(rpsRatio),
    "% apart",
    `${off(rpsRatio)} % apart (in-app ${thousands(med("inApp", "requestsPerS"))} vs external ${thousands(med("external", "requestsPerS"))} req/s, ratio ${rpsRatio}×)`,
    "<",
    10,
    "within 10 %",
  );
  const p50Figure = figure(
    "(l) load tests: in-app `http-read` p50 vs external autocannon",
    off(p50Ratio),
    "% apart",
    `${off(p50Ratio)} % apart (in-app ${med("inApp", "p50")} vs external ${med("external", "p50")} ms, ratio ${p50Ratio}×; p99 ${med("inApp", "p99")} vs ${med("external", "p99")} ms, ratio ${p99Ratio}×)`,
    "<",
    10,
    "within 10 %",
  );
  if (errors) rpsFigure.pass = p50Figure.pass = false;
  const result: BenchResult = {
    name: "load-test",
    title: "(l) The in-app load tester against an external autocannon process, same shape, same rounds",
    date: new Date().toISOString(),
    command: COMMAND,
    environment: env,
    settings: {
      scenario: "http-read: GET health.ping and sessions.list (limit 20) in turn, Authorization: Bearer (a plain user's API token)",
      connections: Number(args.connections),
      durationSPerRun: durationS,
      rounds,
      pinning: cpu === undefined ? "none" : "server on CPU 1; the external autocannon process and the in-app runner on CPU 0; PostgreSQL unpinned",
      priority: priority === undefined ? "default" : `nice ${priority}`,
      server: "one API-only Pulse server (bench/lib/pulse-server.ts, NODE_ENV=production)",
    },
    figures: [rpsFigure, p50Figure],
    details: { rpsRatioPerRound: rpsRatios.map((r) => round(r, 3)), p50RatioPerRound: p50Ratios.map((r) => round(r, 3)), p99RatioPerRound: p99Ratios.map((r) => round(r, 3)), errors, runs },
    notes: [
      `Median of ${rounds} rounds, each an external run and an in-app run of ${durationS} s (${args.connections} connections), alternating which goes first.`,
      "The in-app figures are the run's stored result (requests ÷ elapsed seconds, percentiles from its HDR histogram); the external ones autocannon's own.",
      "The in-app run also costs the server a progress row and a bus notification each second, and its child's start-up (~0.5 s under tsx) falls before the measured time.",
    ],
  };
  if (!args["no-write"]) {
    writeResult(result);
    updateReadme();
  }
  console.log("");
  for (const f of result.figures) console.log(`${f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
}

await main();
