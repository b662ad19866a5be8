/**
 * Pulse without Next, as a process of its own, with the failing feature added: run with
 * NODE_ENV=production by tests/integration/security-headers.test.ts to see what a client is told
 * when something breaks in production (tRPC reads NODE_ENV when it is loaded, so this needs a
 * process of its own). Prints `READY <url>`.
 */
import { loadConfig } from "@/server/config";
import { features } from "@/server/features/index";
import { createLogger } from "@/server/log";
import { startPulse, stopOnSignals } from "@/server/start";
import { failingFeature } from "./failing-feature";

const config = loadConfig();
const log = createLogger(config.logLevel);
const pulse = await startPulse(config, log, { features: [...features, failingFeature] });
stopOnSignals(pulse, log);
console.log(`READY ${pulse.url}`);
