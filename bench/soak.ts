/**
 * `npm run bench:soak [-- --minutes=10 --clients=500 --priority=-10 --no-write]` — issue 14's soak:
 * one API-only Pulse server for ten minutes under 500 WebSocket clients following live sessions
 * (5 sessions × 100, each session sent a message a second) plus mixed HTTP (the load tester's
 * `http-mixed` shape: lists, pings, who-am-I, chat lines) at half of the capacity measured first.
 * Reports HTTP throughput, p99 and errors, WebSocket messages lost (target 0), and the server's
 * resident memory growth from minute 2 to the end (target < 10 %). Not part of CI.
 */
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import { mixedCalls } from "@/server/features/load-tests/runner/http";
import { LoadSocket } from "@/server/features/load-tests/runner/trpc-socket";
import { createPulseClient } from "@/trpc/client";
import { openBenchDatabase } from "./lib/database.js";
import { hasTaskset, pinProcess, setOwnPriority, startServer } from "./lib/processes.js";
import { environment, figure, updateReadme, writeResult, type BenchResult } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    clients: { type: "string", default: "500" },
    sessions: { type: "string", default: "5" },
    connections: { type: "string", default: "20" },
    "no-pin": { type: "boolean", default: false },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});
const log = (message: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const MB = 1024 * 1024;

interface CannonResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function main() {
  const env = environment();
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  if (priority !== undefined && !setOwnPriority(priority)) throw new Error(`could not set priority ${priority}`);
  const minutes = Number(args.minutes);
  const clientCount = Number(args.clients);
  const sessionCount = Number(args.sessions);
  const database = await openBenchDatabase();
  let cpu: number | undefined;
  if (!args["no-pin"] && hasTaskset() && pinProcess(process.pid, 0)) cpu = 1;
  const server = await startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: database.url }, cpu });
  const sockets: LoadSocket[] = [];
  try {
    const anonymous = createPulseClient({ url: server.url });
    await anonymous.auth.signUp.mutate({ email: "soak@example.com", password: "correct horse battery", name: "Soak" });
    const { token: login } = await anonymous.auth.signIn.mutate({ email: "soak@example.com", password: "correct horse battery" });
    await anonymous.close();
    const client = createPulseClient({ url: server.url, token: login });
    const { token } = await client.auth.createApiToken.mutate({ name: "soak" });
    const sessions = await Promise.all(Array.from({ length: sessionCount }, (_, i) => client.sessions.create.mutate({ kind: "collaboration", title: `Soak ${i + 1}` })));
    const settings = { target: server.url, token, secret: "", connections: 0, durationS: 0, ratePerS: null, maxRequests: 0, scenario: "websocket" as const };

    // WebSocket followers: each counts the messages it is given.
    const delivered = new Map<string, number>(); // session id → deliveries
    for (let i = 0; i < clientCount; i++) {
      const sessionId = sessions[i % sessionCount]!.id;
      const socket = await LoadSocket.open(settings);
      sockets.push(socket);
      await new Promise<void>((resolve) =>
        socket.subscribe("sessions.events", { sessionId }, {
          onStarted: () => resolve(),
          onData: (data) => {
            if ((data as { type?: string; text?: string }).text?.startsWith("soak ")) delivered.set(sessionId, (delivered.get(sessionId) ?? 0) + 1);
          },
          onError: () => resolve(),
        }),
      );
    }
    log(`${sockets.length} WebSocket clients following ${sessionCount} sessions`);

    const calls = mixedCalls(sessions[0]!.id).map((call) => ({ method: call.method, path: call.path, ...(call.body ? { body: call.body } : {}) }));
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const cannon = (options: Record<string, unknown>) => autocannon({ url: server.url, connections: Number(args.connections), headers, requests: calls, timeout: 10, ...options }) as unknown as Promise<CannonResult>;
    log("measuring capacity (10 s, mixed HTTP, as fast as it goes)");
    const capacity = await cannon({ duration: 10 });
    const capacityRps = capacity.requests.total / capacity.duration;
    const rate = Math.max(1, Math.floor(capacityRps / 2));
    log(`capacity ${round(capacityRps)} req/s: soaking at ${rate} req/s for ${minutes} min`);

    // A message a second into each session, acknowledged ones counted as owed to its followers.
    let published = 0;
    let publishing = true;
    const followers = (sessionId: string) => sockets.filter((_, i) => sessions[i % sessionCount]!.id === sessionId).length;
    const owed = new Map<string, number>();
    const publisher = (async () => {
      for (let n = 1; publishing; n++) {
        await Promise.all(
          sessions.map(async (session) => {
            await client.sessions.sendMessage.mutate({ sessionId: session.id, text: `soak ${n}` });
            published++;
            owed.set(session.id, (owed.get(session.id) ?? 0) + followers(session.id));
          }),
        ).catch(() => undefined);
        await sleep(1_000);
      }
    })();

    const rss: { minute: number; bytes: number }[] = [];
    const sampler = setInterval(() => void server.rss().then((bytes) => rss.push({ minute: rss.length / 6, bytes })), 10_000);
    const soak = await cannon({ duration: minutes * 60, overallRate: rate });
    clearInterval(sampler);
    publishing = false;
    await publisher;
    await sleep(3_000); // the last deliveries
    const expected = [...owed.values()].reduce((a, b) => a + b, 0);
    const got = [...delivered.values()].reduce((a, b) => a + b, 0);
    const lost = Math.max(0, expected - got);
    const at = (minute: number) => rss.find((s) => s.minute >= minute)?.bytes ?? NaN;
    const rssStart = at(2);
    const rssEnd = rss.at(-1)?.bytes ?? NaN;
    const growth = round(((rssEnd - rssStart) / rssStart) * 100);
    const httpErrors = soak.non2xx + soak.errors + soak.timeouts;
    const throughput = round(soak.requests.total / soak.duration);
    await client.close();

    const result: BenchResult = {
      name: "soak",
      title: "(z) Soak: 500 WebSocket followers plus mixed HTTP at half capacity",
      date: new Date().toISOString(),
      command: `npm run bench:soak${minutes === 10 ? "" : ` -- --minutes=${minutes}`}`,
      environment: env,
      settings: { minutes, clients: clientCount, sessions: sessionCount, httpConnections: Number(args.connections), capacityRps: round(capacityRps), soakRate: rate, pinning: cpu === undefined ? "none" : "server on CPU 1, load on CPU 0" },
      figures: [
        figure("(z) soak: WebSocket messages lost", lost, "messages", `${lost} of ${expected.toLocaleString("en-US")} (${published} published to ${clientCount} followers)`, "<", 1, "0"),
        figure("(z) soak: RSS growth, minute 2 to the end", growth, "%", `${growth} % (${round(rssStart / MB)} → ${round(rssEnd / MB)} MB)`, "<", 10, "< 10 %"),
        figure("(z) soak: mixed HTTP at half capacity, p99", soak.latency.p99, "ms", `p99 ${soak.latency.p99} ms (p50 ${soak.latency.p50}; ${throughput} req/s of ${rate} asked; ${httpErrors} errors)`, "<", 1_000, "< 1 s, no errors"),
      ],
      details: { capacity: { rps: round(capacityRps), p99: capacity.latency.p99 }, soak: { rps: throughput, p50: soak.latency.p50, p99: soak.latency.p99, errors: httpErrors }, rss: rss.map((s) => ({ minute: round(s.minute, 2), mb: round(s.bytes / MB) })), expected, delivered: got },
      notes: ["The server is one API-only Pulse process (no Next); the load generator and the WebSocket clients share the other core."],
    };
    if (httpErrors) result.figures[2]!.pass = false;
    if (!args["no-write"]) {
      writeResult(result);
      updateReadme();
    }
    for (const f of result.figures) console.log(`${f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
  } finally {
    for (const socket of sockets) socket.close();
    await server.stop();
    await database.close();
  }
}

await main();
