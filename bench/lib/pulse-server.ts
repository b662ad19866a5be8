/**
 * The server under test, run as its own process by bench/run.ts (the load generator runs in
 * the parent, so each gets a core). API-only mode: the real HTTP + WebSocket server from
 * `startPulse`, without Next. Talks to the parent over the IPC channel:
 *   child → parent  { type: "ready", url, pid }
 *   parent → child  { type: "memory" }   → child replies { type: "memory", usage }
 *   parent → child  { type: "gc" }       → collects garbage first (needs node --expose-gc), then
 *                   replies { type: "gc", usage }: memory per connection without garbage in it
 *   parent → child  { type: "heap-spaces" } → replies { type: "heap-spaces", spaces } (v8.getHeapSpaceStatistics())
 *   parent → child  { type: "heap-snapshot", file } → writes a heap snapshot there; replies { type: "heap-snapshot", file }
 *   parent → child  { type: "sockets" }  → child replies { type: "sockets", open, authenticated }
 *   parent → child  { type: "profile-start" } → starts V8's CPU profiler; replies { type: "profile-start" }
 *   parent → child  { type: "profile-stop", file } → writes the profile (.cpuprofile, for Chrome
 *                   DevTools or speedscope) to `file`; replies { type: "profile-stop", file }
 *   parent → child  { type: "heap-snapshot", file } → collects garbage (--expose-gc), writes a V8
 *                   heap snapshot to `file` (bench/fanout-heap.ts); replies { type: "heap-snapshot", file }
 * and stops gracefully on SIGTERM. bench/run.ts starts it with NODE_ENV=production in its
 * environment, as `npm start` does (tRPC reads it when the router module loads). The chat
 * settings (ANTHROPIC_* and CHAT_*) and ANALYTICS_* are read from its environment: bench/chat.ts points
 * ANTHROPIC_BASE_URL at its stand-in. BENCH_WITH_NEXT=1 adds the pages (Next, production build).
 */
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import v8 from "node:v8";
import { loadConfig } from "@/server/config";
import type { NextHandlers } from "@/server/http/server";
import { createLogger } from "@/server/log";
import { PROJECT_DIR } from "@/server/project-dir";
import { startPulse } from "@/server/start";

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
    // All the load comes from one address and a few accounts: the per-address and per-socket limits
    // would measure themselves. Off unless the environment turns them on (RATE_LIMIT_PER_MINUTE=100 …).
    RATE_LIMIT_PER_MINUTE: "0",
    WS_CONNECTIONS_PER_USER: "0",
    WS_CONNECTIONS_PER_IP: "0",
    WS_MESSAGES_PER_10S: "0",
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(ANTHROPIC|CHAT|ANALYTICS|RATE_LIMIT|WS)_/.test(name))),
  },
  // The benchmark creates its accounts from one IP.
  { signInAttemptsPerIp: 100_000, signInFailuresPerPair: 100_000, signInSlowdownAfter: 100_000, shutdownGraceMs: 2_000 },
);
/**
 * BENCH_WITH_NEXT=1: the whole server, pages included, as src/server/main.ts starts it in
 * production (needs a `next build`). Imported only then: an API-only server never loads Next.
 */
async function nextHandlers(): Promise<NextHandlers | undefined> {
  if (process.env.BENCH_WITH_NEXT !== "1") return undefined;
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const { default: next } = await import("next");
  const nextApp = next({ dev: false, dir: PROJECT_DIR, hostname: config.host, port: config.port });
  await nextApp.prepare();
  const handle = nextApp.getRequestHandler();
  return { handle: (req, res) => handle(req, res) };
}

const pulse = await startPulse(config, createLogger(config.logLevel), { next: await nextHandlers() });

let profiler: Session | undefined;
async function startProfile(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: 100 }); // µs
  await profiler.post("Profiler.start");
}
async function stopProfile(file: string): Promise<void> {
  if (!profiler) return;
  const { profile } = await profiler.post("Profiler.stop");
  profiler.disconnect();
  profiler = undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(profile));
}

process.on("message", (message: { type?: string; file?: string }) => {
  if (message?.type === "profile-start") void startProfile().then(() => process.send?.({ type: "profile-start" }));
  if (message?.type === "profile-stop" && message.file) {
    const file = message.file;
    void stopProfile(file).then(() => process.send?.({ type: "profile-stop", file }));
  }
  if (message?.type === "heap-snapshot" && message.file) {
    (globalThis as { gc?: () => void }).gc?.();
    fs.mkdirSync(path.dirname(message.file), { recursive: true });
    process.send?.({ type: "heap-snapshot", file: v8.writeHeapSnapshot(message.file) });
  }
  if (message?.type === "memory") process.send?.({ type: "memory", usage: process.memoryUsage() });
  if (message?.type === "heap-spaces") process.send?.({ type: "heap-spaces", spaces: v8.getHeapSpaceStatistics() });
  if (message?.type === "heap-snapshot" && message.file) process.send?.({ type: "heap-snapshot", file: v8.writeHeapSnapshot(message.file) });
  if (message?.type === "gc") {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ type: "gc", usage: process.memoryUsage() });
  }
  if (message?.type === "sockets") {
    // Sockets whose connection params authenticated a caller.
    process.send?.({ type: "sockets", open: pulse.app.connections.open, authenticated: pulse.sockets.authenticatedCount() });
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
process.once("disconnect", stop); // the parent went away
process.send?.({ type: "ready", url: pulse.url, pid: process.pid });
