/**
 * Background jobs — `npx tsx bench/jobs.ts [--no-write] [--jobs=5000] [--concurrency=8] [--enqueuers=8] [--owners=1] [--priority=-10]`
 * (`BENCH_CPU_PROF=1`: CPU profiles of the worker processes in bench/results/profiles/).
 *
 * No-op jobs enqueued and completed per second, through the whole queue: each job is a Job row
 * and its graphile dispatch written in one transaction, claimed by a worker (a fenced update),
 * run, and ended succeeded (another fenced update), every change taking the owner's next seq
 * and announced on the bus. The workers are a separate `npm run worker` process (pinned to the
 * second core); this process (pinned to the first) enqueues with `--enqueuers` parallel loops
 * and counts succeeded rows. The yardstick, in the same run on the same database: graphile-worker
 * alone (add_job, a no-op task, the same concurrency), whose rows say nothing about progress,
 * owners, attempts or files. The ratio is Pulse's rate over graphile's.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "@/server/config";
import { createLogger } from "@/server/log";
import { startWorker } from "@/server/start";
import { openBenchDatabase } from "./lib/database.js";
import { hasTaskset, pinProcess, projectDir, setOwnPriority } from "./lib/processes.js";
import { environment, figure, updateReadme, writeResult, type BenchResult } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    jobs: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "8" },
    enqueuers: { type: "string", default: "8" },
    "no-write": { type: "boolean", default: false },
    priority: { type: "string" },
    owners: { type: "string", default: "1" },
  },
});
const JOBS = Number(args.jobs);
const CONCURRENCY = Number(args.concurrency);
const ENQUEUERS = Number(args.enqueuers);
if (args.priority !== undefined) setOwnPriority(Number(args.priority));
// The machine as it is before this run adds its own load, and before pinning (which would make
// this process see one CPU).
const startEnvironment = environment();
const pin = hasTaskset();
if (pin) pinProcess(process.pid, 0);
const GW_LOCAL_QUEUE = process.env.GW_LOCAL_QUEUE;
const GW_COMPLETE_DELAY = process.env.GW_COMPLETE_DELAY;

const database = await openBenchDatabase();
const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", DATABASE_URL: database.url, JOB_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: "warn" };

async function startChild(mode: "pulse" | "bare"): Promise<ChildProcess> {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.join(projectDir, "bench/results/profiles")}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", path.join(projectDir, "bench/jobs-worker.ts"), mode], { cwd: projectDir, env, stdio: ["ignore", "pipe", "inherit"] });
  if (pin) pinProcess(child.pid!, 1);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("READY") && resolve());
    child.once("exit", (code) => reject(new Error(`the ${mode} worker exited (${code})`)));
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Runs `count` calls of `one` over `parallel` loops. */
async function inParallel(count: number, parallel: number, one: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) await one(next++);
  }));
}

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

// The enqueuing side: the core and its queue, with no workers of its own.
const config = loadConfig({ ...env, NODE_ENV: "production" });
const enqueuer = await startWorker({ ...config, jobs: { ...config.jobs, concurrency: 0 } }, createLogger("warn"));
const { queue, pool } = enqueuer.app;
queue.define("bench.noop", { run: async () => undefined });
// One owner by default: the worst case, as every change to one owner's jobs takes that owner's
// next seq in turn. `--owners=N` spreads the jobs over N people, as a shared server sees them.
const { rows: users } = await pool.query<{ id: string }>(
  `INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt")
   SELECT gen_random_uuid(), 'bench' || n || '@example.com', 'Bench', 'x', now() FROM generate_series(1, $1::int) n RETURNING id::text AS id`,
  [Number(args.owners)],
);
let nextOwner = 0;
const ownerId = () => users[nextOwner++ % users.length]!.id;

async function pulseRound(count: number): Promise<{ perS: number; enqueuePerS: number }> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Job" WHERE status = 'succeeded'`);
  const before = rows[0]!.n;
  const started = performance.now();
  await inParallel(count, ENQUEUERS, () => queue.enqueue({ ownerId: ownerId(), type: "bench.noop" }));
  const enqueued = performance.now();
  await waitUntil(async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Job" WHERE status = 'succeeded'`)).rows[0]!.n >= before + count);
  const seconds = (performance.now() - started) / 1000;
  return { perS: Math.round(count / seconds), enqueuePerS: Math.round(count / ((enqueued - started) / 1000)) };
}

async function bareRound(count: number): Promise<{ perS: number }> {
  const started = performance.now();
  await inParallel(count, ENQUEUERS, () => pool.query(`SELECT graphile_worker.add_job('bench.bare', '{}'::json)`));
  await waitUntil(async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker.jobs`)).rows[0]!.n === 0);
  return { perS: Math.round(count / ((performance.now() - started) / 1000)) };
}

const pulseWorker = await startChild("pulse");
await pulseRound(300); // warm-up
const pulseRuns = [await pulseRound(JOBS), await pulseRound(JOBS)];
await stopChild(pulseWorker);

const bareWorker = await startChild("bare");
await bareRound(300);
const bareRuns = [await bareRound(JOBS), await bareRound(JOBS)];
await stopChild(bareWorker);

await enqueuer.stop();
await database.close();

const best = (runs: { perS: number }[]) => Math.max(...runs.map((r) => r.perS));
const pulseRate = best(pulseRuns);
const bareRate = best(bareRuns);
const ratio = Math.round((pulseRate / bareRate) * 1000) / 1000;
const flags = [
  args.priority !== undefined ? `--priority=${args.priority}` : "",
  JOBS !== 5000 ? `--jobs=${JOBS}` : "",
  CONCURRENCY !== 8 ? `--concurrency=${CONCURRENCY}` : "",
  ENQUEUERS !== 8 ? `--enqueuers=${ENQUEUERS}` : "",
].filter(Boolean);
const gwEnv = [GW_LOCAL_QUEUE !== undefined ? `GW_LOCAL_QUEUE=${GW_LOCAL_QUEUE}` : "", GW_COMPLETE_DELAY !== undefined ? `GW_COMPLETE_DELAY=${GW_COMPLETE_DELAY}` : ""].filter(Boolean);
const yardstick =
  "bare graphile-worker 0.17.3 on the same database and core (bench/jobs-worker.ts `bare`): add_job of a no-op task, " +
  `the same concurrency (${CONCURRENCY}) and enqueuers (${ENQUEUERS}); no Job row, owner, seq, progress, heartbeat or bus announcement`;
const result: BenchResult = {
  name: "jobs",
  title: "(j) Background jobs: no-op jobs through the queue",
  date: new Date().toISOString(),
  command: [...gwEnv, "npx tsx bench/jobs.ts", ...flags].join(" "),
  environment: startEnvironment,
  settings: {
    jobs: JOBS,
    concurrency: CONCURRENCY,
    enqueuers: ENQUEUERS,
    rounds: 2,
    warmupJobs: 300,
    priority: args.priority === undefined ? "default" : `nice ${args.priority} (this process, the workers and PostgreSQL)`,
    pinning: pin ? "worker process (Pulse's, then graphile's) on CPU 1, enqueuer on CPU 0, PostgreSQL unpinned" : "none",
    database: database.kind,
    pulse: "`npm run worker`'s startWorker (every feature) with a no-op job type; enqueued with queue.enqueue (Job row + graphile dispatch in one transaction)",
    yardstick,
    graphileLocalQueue: GW_LOCAL_QUEUE ?? "off (default)",
    graphileCompleteJobBatchDelay: GW_COMPLETE_DELAY ?? "off (default)",
  },
  figures: [
    figure(
      "(j) jobs: no-op jobs enqueued and completed",
      pulseRate,
      "jobs/s",
      `${pulseRate.toLocaleString("en")} jobs/s (${ratio.toFixed(2)}× graphile-worker alone: ${bareRate.toLocaleString("en")} jobs/s)`,
      ">=",
      1_000,
      "≥ 1,000 jobs/s",
    ),
  ],
  details: {
    jobsPerSecond: { pulse: pulseRate, bare: bareRate },
    ratio,
    yardstick,
    pulseRuns,
    bareRuns,
  },
  notes: [
    `Best of two rounds of ${JOBS.toLocaleString("en")} jobs each, after a 300-job warm-up; the figure runs from the first enqueue to the last success (enqueue alone: ${pulseRuns.map((r) => r.enqueuePerS.toLocaleString("en")).join(" and ")} jobs/s).`,
    `Yardstick, same run and machine: graphile-worker alone ${bareRate.toLocaleString("en")} jobs/s (rounds ${bareRuns.map((r) => r.perS.toLocaleString("en")).join(", ")}); Pulse ${pulseRate.toLocaleString("en")} jobs/s (rounds ${pulseRuns.map((r) => r.perS.toLocaleString("en")).join(", ")}), ratio ${ratio.toFixed(2)}×.`,
    "What Pulse adds to graphile's own work per job: the Job row written in the dispatch's transaction, a fenced claim and a fenced success (each taking the owner's next seq) and a bus announcement per change.",
  ],
};
console.table({ pulse: { runs: pulseRuns.map((r) => r.perS).join(", "), enqueue: pulseRuns.map((r) => r.enqueuePerS).join(", ") }, bare: { runs: bareRuns.map((r) => r.perS).join(", ") } });
console.log(result.figures[0]!.display);
if (!args["no-write"]) {
  console.log(`wrote ${writeResult(result)}`);
  updateReadme();
}
process.exit(0);
