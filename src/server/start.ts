import { randomBytes } from "node:crypto";
import os from "node:os";
import type { App } from "./app.js";
import { createBus } from "./bus/bus.js";
import { createStreams } from "./bus/stream.js";
import type { Config } from "./config.js";
import { DatabaseAvailability } from "./db/availability.js";
import { openDatabase } from "./db/index.js";
import { startFeatures, type AnyFeature } from "./feature.js";
import { features as allFeatures } from "./features/index.js";
import { createHttpServer, type NextHandlers } from "./http/server.js";
import { warmUp } from "./http/warm-up.js";
import type { Logger } from "./log.js";
import { ConnectionCount } from "./metrics/connections.js";
import { metrics } from "./metrics/index.js";
import { Measurements } from "./metrics/measurements.js";
import { createJobQueue } from "./queue/queue.js";
import { CredentialCache } from "./trpc/credential-cache.js";
import { watchCredentials } from "./trpc/credentials.js";
import { createAppRouter, type AppRouter, type Services } from "./trpc/router.js";
import { SocketRegistry } from "./trpc/sockets.js";

export interface RunningPulse {
  app: App;
  services: Services;
  router: AppRouter;
  /** This server's open sockets and live streams, by the credential that opened them. */
  sockets: SocketRegistry;
  url: string;
  port: number;
  databaseUrl: string;
  /** Graceful stop: drain HTTP and WebSocket, close the bus, the database (and embedded PostgreSQL). */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Next's handlers; absent in API-only mode (integration tests, benchmarks). */
  next?: NextHandlers;
  /** The feature list (tests pass an instrumented copy of it, or one with a feature of their own). */
  features?: readonly AnyFeature[];
  /** Warm up before returning (http/warm-up.ts); by default in production only. */
  warmUp?: boolean;
}

/** The core every feature is built on: the database (migrated), the bus, the job queue, metrics. */
async function openCore(config: Config, log: Logger) {
  const database = await openDatabase(config, log);
  const bus = await createBus(database.url, database.pool, log);
  const databaseAvailability = new DatabaseAvailability(database.pool, log);
  const instanceId = `${os.hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`;
  const connections = new ConnectionCount();
  const queue = createJobQueue({ pool: database.pool, availability: databaseAvailability, databaseUrl: database.url, bus, log, production: config.production, settings: config.jobs });
  const measurements = new Measurements({
    pool: database.pool,
    log,
    instanceId,
    availability: databaseAvailability,
    // Jobs due now that no worker has taken: what "queue depth" means on the dashboard.
    queueDepth: async () => (await queue.backlog()).due,
    connections,
    enabled: config.analytics.measure,
    filesDir: config.files.driver === "disk" ? config.files.dir : undefined,
    flushMs: config.analytics.flushMs,
    logPerS: config.analytics.logPerS,
  });
  const app: App = {
    config,
    db: database.db,
    pool: database.pool,
    databaseAvailability,
    log,
    bus,
    streams: createStreams(bus),
    metrics,
    measurements,
    queue,
    connections,
    checks: new Map(),
    usage: new Map(),
    startedAt: Date.now(),
    instanceId,
  };
  // A worker process records no calls (it serves no HTTP) but samples its resources like any instance.
  measurements.start();
  return {
    app,
    database,
    async close() {
      // The last flush, while the database is still open.
      await measurements.stop();
      app.databaseAvailability.close();
      await bus.close();
      await database.close();
    },
  };
}

/**
 * config → database → bus → the core → features (services, then start hooks in list order) →
 * HTTP/WS server. Stopping drains HTTP/WS, runs the stop hooks in reverse, then closes the bus
 * and the database.
 */
export async function startPulse(config: Config, log: Logger, options: StartOptions = {}): Promise<RunningPulse> {
  const { next, features = allFeatures } = options;
  const { app, database, close } = await openCore(config, log);
  const running = await startFeatures(app, features);
  // Typed by the real list: a test that passes its own list still has every real feature in it.
  const services = running.services as Services;
  const router = createAppRouter(services, features);
  const sockets = new SocketRegistry();
  const socketCredentials = new CredentialCache();
  const stopWatchingCredentials = await watchCredentials(app, sockets, services.auth.endedCredentials, socketCredentials);
  const http = createHttpServer({ app, sockets, socketCredentials, router, health: services.health, authenticate: services.auth.authenticate, isLoadTestSecret: services.loadTest.isRunSecret, checkMutation: services.system.checkMutation, routes: running.routes }, next);
  const warming = options.warmUp ?? config.production;
  http.setWarmingUp(warming);

  await new Promise<void>((resolve, reject) => {
    http.server.once("error", reject);
    http.server.listen(config.port, config.host, () => resolve());
  });
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  // Where this instance itself is reached (load tests aim here when no PUBLIC_URL is set): IPv4 loopback for a wildcard bind.
  const selfUrl = `http://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${port}`;
  app.selfUrl = selfUrl;
  // Before it says it is up (and before /health/ready says so, which is when a platform sends
  // traffic, and when the caller has its signal handlers on): the first people to connect should
  // not pay for compiling the server.
  if (warming) {
    await warmUp(selfUrl, app.pool, log);
    http.setWarmingUp(false);
  }
  log.info({ port, instance: app.instanceId, embeddedDatabase: database.embedded }, `Pulse is listening on http://${host}:${port}`);

  let stopping: Promise<void> | undefined;
  return {
    app,
    services,
    router,
    sockets,
    url: `http://${host}:${port}`,
    port,
    databaseUrl: database.url,
    stop: () =>
      (stopping ??= (async () => {
        await http.drain(config.shutdownGraceMs);
        stopWatchingCredentials();
        await running.stop();
        await close();
      })()),
  };
}

export interface RunningWorker {
  app: App;
  services: Services;
  stop(): Promise<void>;
}

/**
 * `npm run worker`: the core and every feature's service (so every job type is defined), the
 * job workers running, and no HTTP: workers scaled apart from the web instances. Stopping gives
 * running jobs back to the queue, then closes the bus and the database.
 */
export async function startWorker(config: Config, log: Logger, features: readonly AnyFeature[] = allFeatures): Promise<RunningWorker> {
  const { app, close } = await openCore(config, log);
  const running = await startFeatures(app, features);
  log.info({ instance: app.instanceId, concurrency: config.jobs.concurrency }, "Pulse worker is running jobs");
  let stopping: Promise<void> | undefined;
  return {
    app,
    services: running.services as Services,
    stop: () =>
      (stopping ??= (async () => {
        await running.stop();
        await close();
      })()),
  };
}

/** A signal this soon after the first is the first one again (see stopOnSignals). */
const REPEATED_SIGNAL_MS = 1_000;

/**
 * The process's signal handling: on SIGTERM or SIGINT, stop gracefully (drain, then the
 * database and the embedded PostgreSQL, last) and exit 0, or 1 when stopping fails; a second
 * signal while draining exits at once (1), unless it comes within a second of the first: that
 * is the same request delivered twice. Ctrl-C in a terminal (or a supervisor that signals the
 * process group) reaches this process directly and again through npm, which forwards SIGINT
 * and SIGTERM to its child under `npm start`.
 *
 * SIGHUP (the terminal that ran `npm start` closed) stops it the same way: by default it would
 * end the process without an `exit` event, leaving the embedded PostgreSQL, which runs in a
 * process group of its own, behind. Handlers a library added for these signals are removed: one
 * that exits at once cuts off in-flight requests mid-drain. (On any exit, db/embedded.ts still
 * stops a running cluster, so no postgres process is left behind.)
 */
export function stopOnSignals(pulse: Pick<RunningPulse, "stop">, log: Logger): void {
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      if (performance.now() - firstSignalAt < REPEATED_SIGNAL_MS) return;
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    firstSignalAt = performance.now();
    log.info({ signal }, "shutting down");
    pulse.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    for (const listener of process.listeners(signal)) process.off(signal, listener);
    process.on(signal, onSignal);
  }
}
