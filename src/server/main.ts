/**
 * Process entry: configuration → (Next build if missing) → Pulse → signals.
 * `npm run dev` runs this under `tsx watch` with Next in dev mode; `npm start` in production.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import next from "next";
import { ConfigError, loadConfig, type Config } from "./config.js";
import type { NextHandlers } from "./http/server.js";
import { createLogger } from "./log.js";
import { startPulse, stopOnSignals } from "./start.js";

const projectDir = path.resolve(import.meta.dirname, "../..");
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
  if (!dev && !fs.existsSync(path.join(projectDir, ".next", "BUILD_ID"))) {
    console.log("No production build found: running `next build` first (once).");
    const build = spawnSync(process.execPath, [path.join(projectDir, "node_modules/next/dist/bin/next"), "build"], {
      cwd: projectDir,
      stdio: "inherit",
    });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const nextApp = next({ dev, dir: projectDir, hostname: config.host, port: config.port });
  await nextApp.prepare();
  const handle = nextApp.getRequestHandler();
  const upgrade = dev ? nextApp.getUpgradeHandler() : undefined;
  return { handle: (req, res) => handle(req, res), upgrade };
}

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);

try {
  const pulse = await startPulse(config, log, await prepareNext(config));
  stopOnSignals(pulse, log);
} catch (err) {
  log.fatal({ err }, `Pulse failed to start: ${(err as Error).message}`);
  process.exit(1);
}
