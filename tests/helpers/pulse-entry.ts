/**
 * Pulse without Next, as a process of its own: what `src/server/main.ts` does minus the pages
 * (same config, same start, same signal handling). Used by tests/integration/shutdown.test.ts
 * to check signals, exit codes and the embedded PostgreSQL's lifetime. Prints `READY <url>`.
 */
import { loadConfig } from "@/server/config";
import { createLogger } from "@/server/log";
import { startPulse, stopOnSignals } from "@/server/start";

const config = loadConfig();
const log = createLogger(config.logLevel);
const pulse = await startPulse(config, log);
stopOnSignals(pulse, log);
console.log(`READY ${pulse.url}`);
