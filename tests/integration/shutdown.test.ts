/**
 * Graceful shutdown: stop accepting, let in-flight requests finish, tell WebSocket clients to
 * reconnect (1012), stop the embedded PostgreSQL, exit 0, leave no postgres process behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import superjson from "superjson";
import { afterAll, describe, expect, it } from "vitest";
import { createPulseClient } from "@/trpc/client";
import { startTestServer, type TestServer } from "../helpers/server";
import { holdRequest, postgresProcesses } from "./support/shutdown";
import { eventually, RawSocket, within } from "./support/raw";

const projectDir = path.resolve(import.meta.dirname, "../..");
const SERVICE_RESTART = 1012;

describe("draining a running server", () => {
  const servers: TestServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.stop())));

  it("finishes an in-flight request while refusing new connections", async () => {
    // A grace period that a loaded machine cannot outlast between the steps below.
    const server = await startTestServer({ shutdownGraceMs: 15_000 });
    servers.push(server);
    const held = holdRequest(`${server.url}/api/trpc/auth.signUp`, { email: "late@example.com", password: "correct horse battery", name: "Late" });
    await within(held.accepted, "the server to accept the request");

    const stopped = server.pulse.stop();
    let stopDone = false;
    void stopped.then(() => (stopDone = true));
    await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
    expect(stopDone).toBe(false); // still waiting for the held request

    held.finish();
    const response = await within(held.response, "the in-flight response");
    expect(response.status).toBe(200);
    expect(superjson.deserialize<{ user: { email: string } }>(JSON.parse(response.body).result.data).user.email).toBe("late@example.com");
    await within(stopped, "stop() to resolve");
  });

  it("answers an in-flight request with Connection: close, so stopping need not wait out the grace period", async () => {
    // A long grace period: were the answered connection kept alive, stop() would idle until it ends.
    const server = await startTestServer({ shutdownGraceMs: 60_000 });
    servers.push(server);
    const held = holdRequest(`${server.url}/api/trpc/auth.signUp`, { email: "kept-alive@example.com", password: "correct horse battery", name: "K" });
    try {
      await within(held.accepted, "the server to accept the request");
      const stopped = server.pulse.stop();
      held.finish();
      const response = await within(held.response, "the in-flight response");
      expect(response.status).toBe(200);
      expect(response.connection).toBe("close");
      await within(stopped, "stop() to resolve once the last connection is done", 20_000);
    } finally {
      held.destroy();
    }
  });

  it("tells WebSocket clients to reconnect and closes them with 1012", async () => {
    const server = await startTestServer();
    servers.push(server);
    const anonymous = await RawSocket.open(server.url);
    const subscribed = await RawSocket.open(server.url);
    await subscribed.take("health.live", 1);
    const closes: Array<number | undefined> = [];
    const client = createPulseClient({ url: server.url, onSocketClose: (code) => closes.push(code) });
    let events = 0;
    const subscription = client.health.live.subscribe(undefined, { onData: () => void events++ });
    await eventually(() => events > 0, "the typed client's first snapshot");

    await within(server.pulse.stop(), "stop() to resolve");
    for (const socket of [anonymous, subscribed]) {
      expect((await within(socket.closed, "the socket to close")).code).toBe(SERVICE_RESTART);
      expect(socket.notifications).toContainEqual({ id: null, method: "reconnect" });
    }
    await eventually(() => closes.includes(SERVICE_RESTART), "the typed client to see 1012");
    subscription.unsubscribe();
    await client.close();
  });

  it("does not wait forever for a request that never finishes", async () => {
    const server = await startTestServer({ shutdownGraceMs: 300 });
    servers.push(server);
    const held = holdRequest(`${server.url}/api/trpc/auth.signIn`, { email: "never@example.com", password: "never sent" });
    await within(held.accepted, "the server to accept the request");
    await within(server.pulse.stop(), "stop() to give up on the request after the grace period");
    await expect(held.response).rejects.toThrow();
  });
});

/** Runs tests/helpers/pulse-entry.ts (Pulse without Next) with no DATABASE_URL. */
async function startProcess(dataDir: string): Promise<{ child: ChildProcess; url: string; exit: Promise<number | null>; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn", NODE_ENV: "test", SHUTDOWN_GRACE_MS: "5000" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/pulse-entry.ts"], { cwd: projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await within(
    new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", () => {
        const match = /READY (\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      void exit.then((code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
    }),
    "the process to listen",
    60_000,
  );
  return { child, url, exit, output: () => output };
}

describe("the process with an embedded PostgreSQL", () => {
  it("on SIGTERM finishes in-flight work, stops PostgreSQL and exits 0; data survives a restart; SIGINT and SIGHUP too", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-shutdown-"));
    await fs.chmod(root, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data
    const dataDir = path.join(root, "data");
    const running: ChildProcess[] = [];
    try {
      // First start: creates the cluster.
      const first = await startProcess(dataDir);
      running.push(first.child);
      expect(postgresProcesses(dataDir)).toHaveLength(1);

      const held = holdRequest(`${first.url}/api/trpc/auth.signUp`, { email: "kept@example.com", password: "correct horse battery", name: "Kept" });
      await within(held.accepted, "the server to accept the request");
      first.child.kill("SIGTERM");
      // Draining now: new connections are refused, the held request is still served.
      await eventually(() => fetch(`${first.url}/health/live`).then(() => false, () => true), "the server to stop accepting");
      held.finish();
      expect((await within(held.response, "the in-flight sign-up")).status).toBe(200);
      expect(await within(first.exit, "the process to exit", 30_000), first.output()).toBe(0);
      expect(postgresProcesses(dataDir)).toEqual([]);

      // Second start on the same directory: the account is still there.
      const second = await startProcess(dataDir);
      running.push(second.child);
      const client = createPulseClient({ url: second.url });
      const signedIn = await client.auth.signIn.mutate({ email: "kept@example.com", password: "correct horse battery" });
      expect(signedIn.user.name).toBe("Kept");
      second.child.kill("SIGINT");
      expect(await within(second.exit, "the process to exit on SIGINT", 30_000), second.output()).toBe(0);
      expect(postgresProcesses(dataDir)).toEqual([]);

      // The terminal that started it closed: SIGHUP stops it the same way, PostgreSQL too.
      const third = await startProcess(dataDir);
      running.push(third.child);
      third.child.kill("SIGHUP");
      expect(await within(third.exit, "the process to exit on SIGHUP", 30_000), third.output()).toBe(0);
      expect(postgresProcesses(dataDir)).toEqual([]);
    } finally {
      for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 120_000);

  it("takes a signal repeated within a second as the same request (Ctrl-C under npm arrives twice); a later one exits at once", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-shutdown-"));
    await fs.chmod(root, 0o755);
    const dataDir = path.join(root, "data");
    const running: ChildProcess[] = [];
    try {
      const first = await startProcess(dataDir);
      running.push(first.child);
      const held = holdRequest(`${first.url}/api/trpc/auth.signUp`, { email: "twice@example.com", password: "correct horse battery", name: "Twice" });
      await within(held.accepted, "the server to accept the request");
      first.child.kill("SIGINT"); // from the terminal…
      await new Promise((resolve) => setTimeout(resolve, 50));
      first.child.kill("SIGINT"); // …and forwarded by npm
      await eventually(() => fetch(`${first.url}/health/live`).then(() => false, () => true), "the server to stop accepting");
      held.finish();
      expect((await within(held.response, "the in-flight sign-up")).status).toBe(200);
      expect(await within(first.exit, "the process to exit", 30_000), first.output()).toBe(0);

      const second = await startProcess(dataDir);
      running.push(second.child);
      const stuck = holdRequest(`${second.url}/api/trpc/auth.signIn`, { email: "twice@example.com", password: "never sent" });
      await within(stuck.accepted, "the server to accept the request");
      second.child.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      second.child.kill("SIGTERM"); // someone who will not wait for the drain
      expect(await within(second.exit, "the process to exit at once", 3_000), second.output()).toBe(1);
      await expect(stuck.response).rejects.toThrow();
      // Told to stop as the process exits; PostgreSQL's fast shutdown takes a moment.
      await eventually(() => postgresProcesses(dataDir).length === 0, "PostgreSQL to stop too");
    } finally {
      for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
