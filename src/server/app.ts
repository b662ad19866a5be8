import type pg from "pg";
import type { Bus } from "./bus/bus.js";
import type { StreamEvents } from "./bus/stream.js";
import type { Config } from "./config.js";
import type { DatabaseAvailability } from "./db/availability.js";
import type { Database } from "./db/index.js";
import type { UsageProvider } from "./feature.js";
import type { Logger } from "./log.js";
import type { CheckProvider } from "./metrics/checks.js";
import type { ConnectionCount } from "./metrics/connections.js";
import type { Metrics } from "./metrics/index.js";
import type { Measurements } from "./metrics/measurements.js";
import type { JobQueue } from "./queue/queue.js";

/**
 * The core every feature service is handed: built once per process in start.ts. Nothing here
 * knows tRPC, HTTP or sockets; the transport reports into it (connections, metrics).
 */
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
  metrics: Metrics;
  /** This instance's own measurements: every call's duration and outcome, system samples, written to PostgreSQL. */
  measurements: Measurements;
  /** Background jobs on PostgreSQL: features define job types and enqueue; workers run here unless concurrency is 0. */
  queue: JobQueue;
  /** Open WebSocket connections on this instance, counted by the transport. */
  connections: ConnectionCount;
  /** Checks the features add to the health snapshot (their modules' `checks`), by "feature.name". */
  checks: Map<string, CheckProvider>;
  /** Usage figures the features add to the analytics summary (their modules' `usage`), by feature name, in list order. */
  usage: Map<string, UsageProvider>;
  startedAt: number;
  /** This instance's own address once it listens (`http://127.0.0.1:3000`); unset in a worker process. */
  selfUrl?: string;
  /** Names this process in logs and health snapshots when several run behind a load balancer. */
  instanceId: string;
}
