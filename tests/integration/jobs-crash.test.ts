/**
 * Crash safety with the default timings (a heartbeat every 5 s, stale after 15 s): a worker
 * process killed with SIGKILL in the middle of a job leaves it `running`; the job is picked up
 * again within 30 s — by the restarted process, or by another one that never restarted — and
 * finishes. The attempt the dead worker made counts, and says why it ended.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { signUp, startTestServer } from "../helpers/server";
import { eventually, sql } from "./support/raw";

const projectDir = path.resolve(import.meta.dirname, "../..");
let database: TestDatabase;
let ownerId: string;
const children: ChildProcess[] = [];

interface Worker {
  child: ChildProcess;
  started: string[];
  done: string[];
}

async function startWorkerProcess(): Promise<Worker> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/worker-entry.ts"], {
    cwd: projectDir,
    env: { ...process.env, NODE_ENV: "test", DATABASE_URL: database.url, LOG_LEVEL: "warn", JOB_CONCURRENCY: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const worker: Worker = { child, started: [], done: [] };
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let end: number;
    while ((end = buffer.indexOf("\n")) !== -1) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (line === "READY") ready();
      else if (line.startsWith("START ")) worker.started.push(line.slice(6));
      else if (line.startsWith("DONE ")) worker.done.push(line.slice(5));
    }
  });
  await readyPromise;
  return worker;
}

async function jobRow(jobId: string) {
  const rows = await sql<{ status: string; attempts: number; lastError: string | null }>(
    database.url,
    `SELECT status::text AS status, attempts, "lastError" FROM "Job" WHERE id = $1`,
    [jobId],
  );
  return rows[0]!;
}

/** Queues a `test.sleep` job through a server that runs no jobs itself, then stops that server. */
async function enqueueSleep(ms: number): Promise<string> {
  // No workers in it: with its own, it could take the job first (and end it at once).
  const server = await startTestServer({ jobs: { ...loadConfig({ NODE_ENV: "test" }).jobs, concurrency: 0 } }, database);
  try {
    server.pulse.app.queue.define("test.sleep", { run: async () => undefined });
    if (!ownerId) ownerId = (await signUp(server, "Crash owner")).user.id;
    return (await server.pulse.app.queue.enqueue({ ownerId, type: "test.sleep", payload: { ms } })).id;
  } finally {
    await server.stop();
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});
afterAll(async () => {
  await database?.drop();
});

describe("a worker killed in the middle of a job", () => {
  it("the restarted process picks the job up within 30 s and finishes it", { timeout: 150_000 }, async () => {
    // Enqueued while no worker runs; the first worker to start takes it.
    const jobId = await enqueueSleep(6_000);
    const first = await startWorkerProcess();
    // Not the figure under test (that is the restart below): a busy machine starts a process slowly.
    await eventually(() => first.started.includes(jobId), "the job to start", 90_000);
    first.child.kill("SIGKILL");
    expect((await jobRow(jobId)).status).toBe("running");

    const restarted = await startWorkerProcess();
    const restartedAt = Date.now();
    // Its second attempt takes 6 s too; what must happen within 30 s is that it starts again.
    await eventually(() => restarted.started.includes(jobId), "the restarted worker to pick it up", 30_000);
    console.info(`picked up ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart`);
    await eventually(async () => (await jobRow(jobId)).status === "succeeded", "the job to finish", 40_000);
    expect(restarted.done).toContain(jobId);
    expect(await jobRow(jobId)).toMatchObject({ attempts: 2, lastError: "The worker running this job stopped responding." });
  });

  it("another running worker picks it up within 30 s, with no restart", { timeout: 150_000 }, async () => {
    const workers = [await startWorkerProcess(), await startWorkerProcess()];
    const jobId = await enqueueSleep(6_000);
    await eventually(() => workers.some((w) => w.started.includes(jobId)), "the job to start", 90_000);
    const victim = workers.find((w) => w.started.includes(jobId))!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();

    await eventually(() => survivor.started.includes(jobId), "the other worker to pick it up", 30_000);
    console.info(`picked up by the other worker ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
    await eventually(async () => (await jobRow(jobId)).status === "succeeded", "the job to finish", 40_000);
    expect(survivor.done).toContain(jobId);
    expect((await jobRow(jobId)).attempts).toBe(2);
  });
});
