import type pg from "pg";
import type { Bus } from "./bus/bus.js";
import type { StreamEvents } from "./bus/stream.js";
import type { Config } from "./config.js";
import type { DatabaseAvailability } from "./db/availability.js";
import type { Database } from "./db/index.js";
import type { Logger } from "./log.js";
import type { SocketRegistry } from "./trpc/sockets.js";

/** The shared infrastructure every feature service is handed: built once in main.ts. */
export interface App {
  config: Config;
  db: Database;
  pool: pg.Pool;
  /** Whether the database is reachable; told of failures, it logs an outage once and its end once. */
  databaseAvailability: DatabaseAvailability;
  log: Logger;
  bus: Bus;
  /** Resumable streams of stored events (replay after a last id, then live). */
  streams: StreamEvents;
  sockets: SocketRegistry;
  startedAt: number;
  /** Names this process in logs and health snapshots when several run behind a load balancer. */
  instanceId: string;
}
