/**
 * `npm run worker` as the crash tests run it: the real worker (src/server/start.ts startWorker,
 * real config from the environment, real signals) plus one test job type, `test.sleep`, that
 * takes `payload.ms`, reports progress, honours its signal, and prints `START <jobId>` and
 * `DONE <jobId>` so the test knows which process runs what. Prints `READY` once running.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig } from "@/server/config";
import { createLogger } from "@/server/log";
import { startWorker, stopOnSignals } from "@/server/start";

const config = loadConfig();
const log = createLogger(config.logLevel);
const worker = await startWorker(config, log);
worker.app.queue.define<{ ms: number }>("test.sleep", {
  async run({ job, payload, signal, progress }) {
    console.log(`START ${job.id}`);
    const steps = 10;
    for (let step = 1; step <= steps; step++) {
      await sleep(payload.ms / steps, undefined, { signal });
      progress((step / steps) * 100, `step ${step} of ${steps}`);
    }
    console.log(`DONE ${job.id}`);
  },
});
stopOnSignals(worker, log);
console.log("READY");
