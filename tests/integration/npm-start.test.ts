/**
 * `npm start` as a platform or a person runs it: the real start command (pages and API, an
 * embedded PostgreSQL in a throwaway DATA_DIR), stopped by a signal to the npm process itself
 * (what Render's SIGTERM is) or to its whole process group (what a terminal's Ctrl-C is). Each
 * stop must drain: the in-flight request is answered, WebSockets are closed with 1012, npm exits
 * 0, and nothing of the run is left in the process table.
 *
 * With no production build of the pages, the first start runs `next build` (as a fresh clone's
 * does), which takes minutes; later runs reuse the build.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort } from "@/server/db/embedded";
import { holdRequest, postgresProcesses } from "./support/shutdown";
import { eventually, RawSocket, within } from "./support/raw";

const projectDir = path.resolve(import.meta.dirname, "../..");
const SERVICE_RESTART = 1012;
const BUILD_AND_START_MS = 8 * 60_000;

interface NpmStart {
  npm: ChildProcess;
  url: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

const started: NpmStart[] = [];

/** `npm start` in its own process group (as a terminal runs a command), once /health/ready answers. */
async function npmStart(dataDir: string): Promise<NpmStart> {
  const port = await findFreePort();
  // No DATABASE_URL: the embedded PostgreSQL. NODE_ENV as Render's blueprint sets it.
  const { DATABASE_URL: _database, ...inherited } = process.env;
  const env = { ...inherited, NODE_ENV: "production" as const, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn" };
  const npm = spawn("npm", ["start"], { cwd: projectDir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  npm.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  npm.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const run = { npm, url: `http://127.0.0.1:${port}`, exit, output: () => output };
  started.push(run);
  let exited = false;
  void exit.then(() => (exited = true));
  await eventually(
    async () => {
      if (exited) throw new Error(`npm start exited before it was ready:\n${output}`);
      return fetch(`${run.url}/health/ready`).then((r) => r.ok, () => false);
    },
    "npm start to be ready",
    BUILD_AND_START_MS,
  );
  return run;
}

/** Every process in the run's process group (npm and the server), wherever it was reparented. */
function processGroup(run: NpmStart): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,pgid=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.trim().split(/\s+/)[1] === String(run.npm.pid));
}

async function expectNothingLeft(run: NpmStart, dataDir: string) {
  await eventually(() => processGroup(run).length === 0, "every process of the run to be gone", 5_000).catch(() => undefined);
  expect(processGroup(run)).toEqual([]);
  expect(postgresProcesses(dataDir)).toEqual([]);
  await expect(fetch(`${run.url}/health/live`)).rejects.toThrow();
}

describe("npm start", () => {
  let root = "";
  afterAll(async () => {
    // After a failure: PostgreSQL runs in a process group of its own.
    const leftovers = [...started.map((run) => -run.npm.pid!), ...(root ? postgresProcesses(root).map((line) => Number(line.trim().split(/\s+/)[0])) : [])];
    for (const pid of leftovers) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already: what the tests expect
      }
    }
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it(
    "drains on SIGTERM to the npm process, and on Ctrl-C (SIGINT to the process group), leaving no process",
    async () => {
      root = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-npm-start-"));
      await fs.chmod(root, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data
      const dataDir = path.join(root, "data");

      // SIGTERM to npm's pid, as Render sends it to the start command.
      const first = await npmStart(dataDir);
      const page = await fetch(`${first.url}/`);
      expect(page.status, "the pages are served too").toBe(200);
      const socket = await RawSocket.open(first.url);
      const held = holdRequest(`${first.url}/api/trpc/auth.signUp`, { email: "drained@example.com", password: "correct horse battery", name: "Drained" });
      await within(held.accepted, "the server to accept the request");
      process.kill(first.npm.pid!, "SIGTERM");
      await eventually(() => fetch(`${first.url}/health/live`).then(() => false, () => true), "the server to stop accepting");
      held.finish();
      const response = await within(held.response, "the in-flight sign-up");
      expect(response.status, response.body).toBe(200);
      expect(superjson.deserialize<{ user: { email: string } }>(JSON.parse(response.body).result.data).user.email).toBe("drained@example.com");
      expect((await within(socket.closed, "the WebSocket to close")).code).toBe(SERVICE_RESTART);
      expect(await within(first.exit, "npm to exit", 30_000), first.output()).toEqual({ code: 0, signal: null });
      await expectNothingLeft(first, dataDir);

      // Ctrl-C: the terminal signals the whole group; npm forwards SIGINT to the server again.
      const second = await npmStart(dataDir);
      const socket2 = await RawSocket.open(second.url);
      const held2 = holdRequest(`${second.url}/api/trpc/auth.signIn`, { email: "drained@example.com", password: "correct horse battery" });
      await within(held2.accepted, "the server to accept the request");
      process.kill(-second.npm.pid!, "SIGINT");
      await eventually(() => fetch(`${second.url}/health/live`).then(() => false, () => true), "the server to stop accepting");
      held2.finish();
      const response2 = await within(held2.response, "the in-flight sign-in");
      expect(response2.status, response2.body).toBe(200);
      expect((await within(socket2.closed, "the WebSocket to close")).code).toBe(SERVICE_RESTART);
      expect(await within(second.exit, "npm to exit", 30_000), second.output()).toEqual({ code: 0, signal: null });
      await expectNothingLeft(second, dataDir);

      // SIGINT to npm's pid alone is forwarded to the server too.
      const third = await npmStart(dataDir);
      process.kill(third.npm.pid!, "SIGINT");
      expect(await within(third.exit, "npm to exit", 30_000), third.output()).toEqual({ code: 0, signal: null });
      await expectNothingLeft(third, dataDir);
    },
    BUILD_AND_START_MS + 3 * 60_000,
  );
});
