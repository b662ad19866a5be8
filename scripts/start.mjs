/**
 * `npm start`: the production server, in this very process.
 *
 * npm runs a script through `sh -c`, and Debian's sh (dash) forks for the command instead of
 * becoming it. npm forwards SIGTERM and SIGINT to that shell only: SIGTERM killed the shell and
 * left the server running, orphaned and undrained; SIGINT waited in the shell and never reached
 * the server. So the script is `exec node scripts/start.mjs`: the shell becomes this process,
 * the signals npm forwards land on the server's own handlers (src/server/start.ts), and npm
 * exits with the server's status once it has drained. Nothing here may spawn the server.
 *
 * A fresh clone has no build yet: build the pages (`next build`) and the server bundle
 * (scripts/build-server.mjs) when missing, then import the bundle.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { buildServer, SERVER_BUNDLE, serverBundleIsStale } from "./build-server.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
process.env.NODE_ENV = "production";
// Pulse runs in closed networks too: Next should not try to phone home (nor while building).
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

/** `next build` as a child; a signal meanwhile stops the build too, and this process with it. */
function buildPages() {
  const build = spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "build"], { cwd: ROOT, stdio: "inherit" });
  const forward = (signal) => build.kill(signal);
  process.on("SIGTERM", forward).on("SIGINT", forward);
  return new Promise((resolve) => {
    build.on("exit", (code, signal) => {
      process.off("SIGTERM", forward).off("SIGINT", forward);
      if (code === 0) return resolve();
      console.error(signal ? `next build stopped by ${signal}` : `next build failed (exit ${code})`);
      process.exit(code ?? 1);
    });
  });
}

if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID"))) {
  console.log("No production build of the pages: running `next build` first (once).");
  await buildPages();
}
if (serverBundleIsStale()) {
  console.log("Building the server bundle (dist/server/main.js).");
  await buildServer();
}
// Node's source maps are left off: switched on for the process they parse the map of every module
// loaded, Next's included (≈ 50 MB of RSS idle), and Next then replaces Error.prepareStackTrace
// with its own unmapped one anyway, so stacks named dist/server/*.js lines either way. The maps
// are built beside the bundle: `NODE_OPTIONS=--enable-source-maps npm start` to read src/ lines.
await import(pathToFileURL(SERVER_BUNDLE).href);
