/**
 * The server under test for bench/sessions-fanout.ts: the same API-only `startPulse` as
 * bench/lib/pulse-server.ts (and the same IPC: ready, memory), plus one question for measuring
 * memory per connection without garbage in it:
 *   parent → child  { type: "gc" }  → collects garbage (node --expose-gc), replies { type: "gc", usage }
 * Stops gracefully on SIGTERM or when the parent goes away.
 */
import { loadConfig } from "../src/server/config.js";
import { createLogger } from "../src/server/log.js";
import { startPulse } from "../src/server/start.js";

const databaseUrl = process.env.BENCH_DATABASE_URL;
if (!databaseUrl) throw new Error("BENCH_DATABASE_URL is required");

const config = loadConfig(
  {
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent",
    SESSION_COOKIE_SECURE: "false",
  },
  // The benchmark signs its few API accounts up from one IP.
  { signInAttemptsPerIp: 100_000, signInAttemptsPerEmail: 100_000, shutdownGraceMs: 2_000 },
);
const pulse = await startPulse(config, createLogger(config.logLevel));

process.on("message", (message: { type?: string }) => {
  if (message?.type === "memory") process.send?.({ type: "memory", usage: process.memoryUsage() });
  if (message?.type === "gc") {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: "gc", usage: process.memoryUsage() });
  }
});
const stop = () => {
  pulse.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
process.once("disconnect", stop);
process.send?.({ type: "ready", url: pulse.url, pid: process.pid });
