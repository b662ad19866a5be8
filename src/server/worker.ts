/**
 * `npm run worker`: a process that only runs background jobs (no pages, no API), so that an
 * operator can scale job workers apart from the web instances (then set JOB_CONCURRENCY=0 on
 * those). It needs the web instances' database: DATABASE_URL, or — on one machine — the
 * embedded PostgreSQL that `npm start` is running.
 */
import path from "node:path";
import { ConfigError, loadConfig } from "./config.js";
import { runningEmbeddedUrl } from "./db/embedded.js";
import { createLogger } from "./log.js";
import { startWorker, stopOnSignals } from "./start.js";

try {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const databaseUrl = config.databaseUrl ?? (await runningEmbeddedUrl(path.join(config.dataDir, "postgres")));
  if (!databaseUrl) {
    console.error("No database to work on: set DATABASE_URL, or start Pulse first (`npm start`) so that its embedded PostgreSQL is running.");
    process.exit(1);
  }
  const worker = await startWorker({ ...config, databaseUrl, jobs: { ...config.jobs, concurrency: Math.max(1, config.jobs.concurrency) } }, log);
  stopOnSignals(worker, log);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
