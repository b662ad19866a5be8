/**
 * The worker process of bench/jobs.ts. `pulse`: Pulse's own worker (src/server/start.ts
 * startWorker, every feature) with a no-op job type, `bench.noop`. `bare`: graphile-worker alone
 * with a no-op task on the same database, the yardstick. Prints READY; stops on SIGTERM.
 */
import { run } from "graphile-worker";
import pg from "pg";
import { loadConfig } from "@/server/config";
import { createLogger } from "@/server/log";
import { startWorker, stopOnSignals } from "@/server/start";

const mode = process.argv[2];
const config = loadConfig();
if (mode === "bare") {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.jobs.concurrency + 2 });
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const localQueue = Number(process.env.GW_LOCAL_QUEUE ?? -1);
  const completeJobBatchDelay = Number(process.env.GW_COMPLETE_DELAY ?? -1);
  const runner = await run({
    pgPool: pool,
    concurrency: config.jobs.concurrency,
    noHandleSignals: true,
    pollInterval: 2_000,
    preset: { worker: { localQueue: { size: localQueue }, completeJobBatchDelay } },
    taskList: { "bench.bare": async () => undefined },
  });
  process.on("SIGTERM", () => void runner.stop().then(() => process.exit(0)));
} else {
  const log = createLogger("warn");
  const worker = await startWorker(config, log);
  worker.app.queue.define("bench.noop", { run: async () => undefined });
  stopOnSignals(worker, log);
}
console.log("READY");
