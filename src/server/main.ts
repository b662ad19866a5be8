/**
 * Process entry: configuration → Next → Pulse → signals.
 * `npm run dev` runs this under `tsx watch` with Next in dev mode; in production it runs as
 * the bundle dist/server/main.js, which scripts/start.mjs (`npm start`) builds when missing,
 * with the pages' production build, and then imports.
 */
import next from "next";
import { ConfigError, loadConfig, type Config } from "./config.js";
import type { NextHandlers } from "./http/server.js";
import { createLogger } from "./log.js";
import { PROJECT_DIR } from "./project-dir.js";
import { startPulse, stopOnSignals } from "./start.js";

// Pulse runs in closed networks too: Next should not try to phone home.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function prepareNext(config: Config): Promise<NextHandlers> {
  const dev = !config.production;
  const nextApp = next({ dev, dir: PROJECT_DIR, hostname: config.host, port: config.port });
  await nextApp.prepare();
  const handle = nextApp.getRequestHandler();
  const upgrade = dev ? nextApp.getUpgradeHandler() : undefined;
  return { handle: (req, res) => handle(req, res), upgrade };
}

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);

try {
  const pulse = await startPulse(config, log, { next: await prepareNext(config) });
  stopOnSignals(pulse, log);
} catch (err) {
  log.fatal({ err }, `Pulse failed to start: ${(err as Error).message}`);
  process.exit(1);
}
