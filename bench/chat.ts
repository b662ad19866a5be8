/**
 * Chat: Pulse's own overhead to the first token — `npx tsx bench/chat.ts [--sends=200]
 * [--concurrent=50] [--rounds=4] [--warmup=20] [--slow-ms=40] [--concurrent-slow-ms=1000]
 * [--priority=-10] [--no-write]`.
 *
 * The measure, per answer: the time the first delta reaches a WebSocket client of Pulse minus the
 * time the Anthropic stand-in wrote its first `content_block_delta` to its socket. Both clocks are
 * this process's (`performance.timeOrigin + performance.now()`): the stand-in
 * (src/server/features/chat/fake-anthropic.ts) and the WebSocket clients run here, pinned to CPU
 * 0; the Pulse server is its own process (bench/lib/pulse-server.ts, API only, NODE_ENV=production)
 * pinned to CPU 1, configured with ANTHROPIC_BASE_URL pointing at the stand-in. So the figure is
 * what lies between the two: the SDK reading the SSE, the generation writing the delta to
 * PostgreSQL and announcing it on the bus, the subscription reading it and tRPC sending it.
 *
 * Each send: `chat.createConversation` and `chat.send` over the client's socket, then
 * `chat.stream` on the same socket. The stand-in waits `--slow-ms` before each delta (a prompt
 * control), so that the subscription is live before the first one is written; a sample whose
 * subscription was confirmed only after the stand-in's first write is left out and counted.
 * One at a time: `--sends` answers, one after another, after `--warmup`. Concurrent: `--rounds`
 * rounds of `--concurrent` sends at once, each client its own account and socket, after one
 * warm-up round.
 *
 * Yardstick, in the same run: a bare relay (bench/lib/chat-relay.ts, its own process on CPU 1):
 * `node:http` reading the stand-in's SSE by hand and forwarding each delta over a bare `ws`
 * socket, in a frame shaped like Pulse's. Measured the same way, alternating with Pulse.
 */
import { parseArgs } from "node:util";
import superjson from "superjson";
import WebSocket from "ws";
import { startFakeAnthropic, type RecordedRequest } from "@/server/features/chat/fake-anthropic";
import { createPulseClient } from "@/trpc/client";
import { openBenchDatabase } from "./lib/database.js";
import { hasTaskset, pinProcess, setOwnPriority, startServer, type ServerProcess } from "./lib/processes.js";
import { environment, figure, updateReadme, writeResult, type BenchResult } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    sends: { type: "string", default: "200" },
    concurrent: { type: "string", default: "50" },
    rounds: { type: "string", default: "4" },
    warmup: { type: "string", default: "20" },
    "slow-ms": { type: "string", default: "40" },
    "concurrent-slow-ms": { type: "string", default: "1000" },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});
const SENDS = Number(args.sends);
const CONCURRENT = Number(args.concurrent);
const ROUNDS = Number(args.rounds);
const WARMUP = Number(args.warmup);
const SLOW_MS = Number(args["slow-ms"]);
const CONCURRENT_SLOW_MS = Number(args["concurrent-slow-ms"]);
const API_KEY = "bench-key";

const now = () => performance.timeOrigin + performance.now();
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One WebSocket speaking tRPC's protocol (as createWSClient does), or the relay's, which answers in the same frames. */
class Socket {
  private nextId = 1;
  private readonly handlers = new Map<number, (message: { result?: { type: string; data?: unknown }; error?: unknown }, at: number) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (raw) => {
      const at = now();
      const text = raw.toString();
      if (text === "PING") return ws.send("PONG");
      if (text === "PONG") return;
      const message = JSON.parse(text) as { id?: number; result?: { type: string; data?: unknown }; error?: unknown };
      if (typeof message.id === "number") this.handlers.get(message.id)?.(message, at);
    });
  }

  static async open(url: string, token?: string): Promise<Socket> {
    const address = new URL(token === undefined ? "/" : "/api/ws", url);
    address.protocol = "ws:";
    if (token !== undefined) address.search = "connectionParams=1";
    const ws = new WebSocket(address, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    if (token !== undefined) ws.send(JSON.stringify({ method: "connectionParams", data: { token } }));
    return new Socket(ws);
  }

  call<T>(path: string, input: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.handlers.set(id, (message) => {
        this.handlers.delete(id);
        if (message.error) reject(new Error(`${path}: ${JSON.stringify(message.error)}`));
        else resolve(superjson.deserialize(message.result!.data as never));
      });
      this.ws.send(JSON.stringify({ id, method: "mutation", params: { path, input: superjson.serialize(input) } }));
    });
  }

  /**
   * Follows `chat.stream` (Pulse), or sends a relay request (`relayPrompt`): resolves at the
   * answer's end with when the subscription was confirmed and when its first delta arrived.
   */
  follow(messageIdOrPrompt: string, relay = false): Promise<{ startedAt: number; firstAt: number; ok: boolean }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let startedAt = relay ? 0 : Number.NaN;
      let firstAt = Number.NaN;
      this.handlers.set(id, (message, at) => {
        if (message.error) {
          this.handlers.delete(id);
          return reject(new Error(`chat.stream: ${JSON.stringify(message.error)}`));
        }
        const result = message.result!;
        if (result.type === "started") startedAt = at;
        if (result.type !== "data") return;
        const event = (superjson.deserialize(result.data as never) as { data: { type: string } }).data;
        if (event.type === "delta") {
          if (Number.isNaN(firstAt)) firstAt = at;
          return;
        }
        this.handlers.delete(id);
        resolve({ startedAt, firstAt, ok: event.type === "done" });
      });
      if (relay) this.ws.send(JSON.stringify({ id, prompt: messageIdOrPrompt }));
      else this.ws.send(JSON.stringify({ id, method: "subscription", params: { path: "chat.stream", input: superjson.serialize({ messageId: messageIdOrPrompt }) } }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

interface Tally {
  /** First delta at the client − the stand-in's first delta write, in ms. */
  samples: number[];
  /** The subscription was confirmed after the stand-in's first write: not a live delivery, left out. */
  late: number;
  failed: number;
  /** Server CPU (user + system) over the measured part, in ms, and the answers it served. */
  cpuMs: number;
  answers: number;
}
const cpuPerAnswer = (t: Tally) => (t.answers ? round(t.cpuMs / t.answers, 3) : undefined);

let tag = 0;
const prompt = (slowMs: number) => `bench ${++tag} [[slow:${slowMs}]] [[words:0]]`;

async function main(): Promise<void> {
  const started = performance.now();
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  if (priority !== undefined && !setOwnPriority(priority)) throw new Error(`could not set priority ${priority} (raising it needs root)`);
  const env = environment();
  const database = await openBenchDatabase();
  const pin = hasTaskset();
  if (pin) pinProcess(process.pid, 0); // after PostgreSQL started, so that it is not pinned with us
  const fake = await startFakeAnthropic({ apiKey: API_KEY });
  /** The stand-in's record of each prompt's request (the prompts are unique). */
  const byPrompt = new Map<string, RecordedRequest>();
  let indexed = 0;
  const upstreamOf = (text: string): RecordedRequest | undefined => {
    for (; indexed < fake.requests.length; indexed++) {
      const request = fake.requests[indexed]!;
      const messages = (request.body as { messages?: { content: string }[] } | undefined)?.messages;
      const last = messages?.at(-1)?.content;
      if (typeof last === "string") byPrompt.set(last, request);
    }
    return byPrompt.get(text);
  };

  let pulse: ServerProcess | undefined;
  let relay: ServerProcess | undefined;
  const sockets: { pulse: Socket[]; relay: Socket[] } = { pulse: [], relay: [] };
  try {
    pulse = await startServer("lib/pulse-server.ts", {
      env: {
        NODE_ENV: "production",
        BENCH_DATABASE_URL: database.url,
        ANTHROPIC_API_KEY: API_KEY,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_MODEL: "claude-bench",
        CHAT_MESSAGES_PER_MINUTE: "10000",
      },
      cpu: pin ? 1 : undefined,
    });
    relay = await startServer("lib/chat-relay.ts", { env: { RELAY_UPSTREAM_URL: fake.url, RELAY_API_KEY: API_KEY }, cpu: pin ? 1 : undefined });

    const stamp = Date.now();
    for (let i = 0; i < CONCURRENT; i++) {
      const anonymous = createPulseClient({ url: pulse.url });
      const { token } = await anonymous.auth.signUp.mutate({ email: `chat-bench-${stamp}-${i}@example.com`, password: "benchmark password", name: `Chat bench ${i + 1}` });
      await anonymous.close();
      sockets.pulse.push(await Socket.open(pulse.url, token));
      sockets.relay.push(await Socket.open(relay.url));
    }

    /** One answer through Pulse: a conversation, the send, the stream on the same socket. */
    async function pulseOne(socket: Socket, slowMs: number, tally: Tally | undefined): Promise<void> {
      const content = prompt(slowMs);
      const { id: conversationId } = await socket.call<{ id: string }>("chat.createConversation", {});
      const { assistantMessageId } = await socket.call<{ assistantMessageId: string }>("chat.send", { conversationId, content });
      const seen = await socket.follow(assistantMessageId);
      record(tally, content, seen);
    }
    async function relayOne(socket: Socket, slowMs: number, tally: Tally | undefined): Promise<void> {
      const content = prompt(slowMs);
      record(tally, content, await socket.follow(content, true));
    }
    function record(tally: Tally | undefined, content: string, seen: { startedAt: number; firstAt: number; ok: boolean }): void {
      if (!tally) return;
      const wrote = upstreamOf(content)?.firstDeltaAt;
      if (!seen.ok || wrote === undefined || Number.isNaN(seen.firstAt)) tally.failed++;
      else if (seen.startedAt > wrote) tally.late++;
      else tally.samples.push(seen.firstAt - wrote);
    }

    const tally = (): Tally => ({ samples: [], late: 0, failed: 0, cpuMs: 0, answers: 0 });
    async function measured(server: ServerProcess, run: (t: Tally) => Promise<void>): Promise<Tally> {
      const t = tally();
      const cpuBefore = server.cpuMs();
      await run(t);
      const cpuAfter = server.cpuMs();
      if (cpuBefore !== undefined && cpuAfter !== undefined) {
        t.cpuMs = cpuAfter - cpuBefore;
        t.answers = t.samples.length + t.late + t.failed;
      }
      return t;
    }
    const sequential = (one: typeof pulseOne, socket: Socket, count: number) => async (t: Tally | undefined) => {
      for (let i = 0; i < count; i++) await one(socket, SLOW_MS, t);
    };
    const together = (one: typeof pulseOne, list: Socket[]) => async (t: Tally | undefined) => {
      await Promise.all(list.map((socket) => one(socket, CONCURRENT_SLOW_MS, t)));
    };

    console.log(`Pulse ${pulse.url}, relay ${relay.url}, stand-in ${fake.url}${pin ? "; pinned: servers CPU 1, stand-in and clients CPU 0" : ""}`);
    // One at a time: warm both, then Pulse and the relay in halves, alternating.
    await sequential(pulseOne, sockets.pulse[0]!, WARMUP)(undefined);
    await sequential(relayOne, sockets.relay[0]!, WARMUP)(undefined);
    const one = { pulse: tally(), relay: tally() };
    for (const half of [Math.ceil(SENDS / 2), Math.floor(SENDS / 2)]) {
      merge(one.pulse, await measured(pulse, sequential(pulseOne, sockets.pulse[0]!, half)));
      merge(one.relay, await measured(relay, sequential(relayOne, sockets.relay[0]!, half)));
    }
    console.log(`one at a time: Pulse ${describe(one.pulse)}; relay ${describe(one.relay)}`);

    await together(pulseOne, sockets.pulse)(undefined);
    await together(relayOne, sockets.relay)(undefined);
    const many = { pulse: tally(), relay: tally(), rounds: [] as { pulse: ReturnType<typeof stats>; relay: ReturnType<typeof stats> }[] };
    for (let r = 0; r < ROUNDS; r++) {
      const p = await measured(pulse, together(pulseOne, sockets.pulse));
      const b = await measured(relay, together(relayOne, sockets.relay));
      many.rounds.push({ pulse: stats(p.samples), relay: stats(b.samples) });
      merge(many.pulse, p);
      merge(many.relay, b);
    }
    console.log(`${CONCURRENT} at once: Pulse ${describe(many.pulse)}; relay ${describe(many.relay)}`);

    const result = report(env, database.kind, pin, one, many);
    for (const f of result.figures) console.log(`${f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
    if (!args["no-write"]) {
      console.log(`wrote ${writeResult(result)}`);
      updateReadme();
    }
  } finally {
    for (const socket of [...sockets.pulse, ...sockets.relay]) socket.close();
    await pulse?.stop();
    await relay?.stop();
    await fake.close();
    await database.close();
  }
  console.log(`Took ${round((performance.now() - started) / 1000, 1)} s.`);
}

function merge(into: Tally, from: Tally): void {
  into.samples.push(...from.samples);
  into.late += from.late;
  into.failed += from.failed;
  into.cpuMs += from.cpuMs;
  into.answers += from.answers;
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
  };
}

function describe(t: Tally): string {
  const s = stats(t.samples);
  return `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms (n ${s.n}, late ${t.late}, failed ${t.failed}, server CPU ${cpuPerAnswer(t) ?? "?"} ms/answer)`;
}

function report(env: ReturnType<typeof environment>, databaseKind: string, pin: boolean, one: { pulse: Tally; relay: Tally }, many: { pulse: Tally; relay: Tally; rounds: unknown[] }): BenchResult {
  const flags = [
    args.priority !== undefined ? `--priority=${args.priority}` : "",
    SENDS !== 200 ? `--sends=${SENDS}` : "",
    CONCURRENT !== 50 ? `--concurrent=${CONCURRENT}` : "",
    ROUNDS !== 4 ? `--rounds=${ROUNDS}` : "",
    WARMUP !== 20 ? `--warmup=${WARMUP}` : "",
    SLOW_MS !== 40 ? `--slow-ms=${SLOW_MS}` : "",
    CONCURRENT_SLOW_MS !== 1000 ? `--concurrent-slow-ms=${CONCURRENT_SLOW_MS}` : "",
  ].filter(Boolean);
  const s = { one: { pulse: stats(one.pulse.samples), relay: stats(one.relay.samples) }, many: { pulse: stats(many.pulse.samples), relay: stats(many.relay.samples) } };
  const ratio = (a: number, b: number) => round(a / b, 1);
  const display = (p: ReturnType<typeof stats>, b: ReturnType<typeof stats>) =>
    `p99 ${p.p99} ms (p50 ${p.p50}, max ${p.max}; bare ws relay p99 ${b.p99}, p50 ${b.p50}: ${ratio(p.p50, b.p50)}× at p50, ${ratio(p.p99, b.p99)}× at p99)`;
  const yardstick =
    "bare relay (bench/lib/chat-relay.ts, its own process on the server's core): node:http reads the stand-in's SSE by hand and forwards each text delta at once over a bare ws socket in a frame shaped like Pulse's; no database, authentication, tRPC or SDK";
  const excluded = (t: Tally) => (t.late || t.failed ? ` (${t.late} left out: subscription confirmed after the first write; ${t.failed} failed)` : "");
  return {
    name: "chat",
    title: "(t) Chat: Pulse's overhead to the first token",
    date: new Date().toISOString(),
    command: ["npx tsx bench/chat.ts", ...flags].join(" "),
    environment: env,
    settings: {
      sends: SENDS,
      warmupSends: WARMUP,
      concurrent: CONCURRENT,
      rounds: ROUNDS,
      slowMs: SLOW_MS,
      concurrentSlowMs: CONCURRENT_SLOW_MS,
      priority: args.priority === undefined ? "default" : `nice ${args.priority} (this process, the servers and PostgreSQL)`,
      pinning: pin ? "Pulse server and relay on CPU 1; stand-in and WebSocket clients (this process) on CPU 0; PostgreSQL unpinned" : "none",
      database: databaseKind,
      clock: "both ends in this process: performance.timeOrigin + performance.now() at the stand-in's first content_block_delta write and at the client's receipt of the first delta frame",
      answer: "the stand-in's deterministic answer to `bench <n> [[slow:<ms>]] [[words:0]]`: 6 deltas, <ms> before each",
      pulse: "bench/lib/pulse-server.ts (startPulse, API only, NODE_ENV=production) with ANTHROPIC_BASE_URL at the stand-in; chat.createConversation, chat.send and chat.stream over one tRPC WebSocket per client",
      yardstick,
    },
    figures: [
      figure("(t) chat: overhead to the first token, one send at a time, p99", s.one.pulse.p99, "ms", display(s.one.pulse, s.one.relay), "<", 10, "p99 < 10 ms"),
      figure(`(t) chat: overhead to the first token, ${CONCURRENT} concurrent streams, p99`, s.many.pulse.p99, "ms", display(s.many.pulse, s.many.relay), "<", 10, "p99 < 10 ms"),
    ],
    details: {
      oneAtATime: { pulse: { ...s.one.pulse, late: one.pulse.late, failed: one.pulse.failed, serverCpuMsPerAnswer: cpuPerAnswer(one.pulse) }, relay: { ...s.one.relay, late: one.relay.late, failed: one.relay.failed, serverCpuMsPerAnswer: cpuPerAnswer(one.relay) } },
      concurrent: { pulse: { ...s.many.pulse, late: many.pulse.late, failed: many.pulse.failed, serverCpuMsPerAnswer: cpuPerAnswer(many.pulse) }, relay: { ...s.many.relay, late: many.relay.late, failed: many.relay.failed, serverCpuMsPerAnswer: cpuPerAnswer(many.relay) }, rounds: many.rounds },
      yardstick,
      samplesMs: {
        oneAtATime: { pulse: one.pulse.samples.map((n) => round(n, 3)), relay: one.relay.samples.map((n) => round(n, 3)) },
        concurrent: { pulse: many.pulse.samples.map((n) => round(n, 3)), relay: many.relay.samples.map((n) => round(n, 3)) },
      },
    },
    notes: [
      `First delta at a WebSocket client minus the stand-in's first content_block_delta write, both clocks in the bench process (the stand-in and the clients share it; the server is a process of its own). One at a time: ${s.one.pulse.n} answers after ${WARMUP} warm-up ones${excluded(one.pulse)}; ${CONCURRENT} at once: ${ROUNDS} rounds, ${s.many.pulse.n} answers${excluded(many.pulse)}.`,
      `Yardstick in the same run, alternating with Pulse: a bare relay (node:http reading the SSE, a bare ws socket) — one at a time p50 ${s.one.relay.p50} / p99 ${s.one.relay.p99} ms, ${CONCURRENT} at once p50 ${s.many.relay.p50} / p99 ${s.many.relay.p99} ms.`,
      `Server CPU per answer (the whole answer: send, conversation, 6 deltas, done): Pulse ${cpuPerAnswer(one.pulse) ?? "?"} ms, relay ${cpuPerAnswer(one.relay) ?? "?"} ms, one at a time; ${CONCURRENT} at once: Pulse ${cpuPerAnswer(many.pulse) ?? "?"} ms, relay ${cpuPerAnswer(many.relay) ?? "?"} ms.`,
      "What Pulse adds between the two: the SDK's SSE parsing, the delta written to PostgreSQL (ChatEvent) and announced on the bus (LISTEN/NOTIFY), the subscription reading it back, tRPC's framing.",
    ],
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
