/**
 * Live sessions fan-out — `npx tsx bench/sessions-fanout.ts` (options below).
 *
 * For each N (default 500, 1,000 and 5,000): one session, N authenticated WebSocket subscribers to
 * `sessions.events`, one publisher sending 200 chat messages at 20/s over HTTP
 * (`sessions.sendMessage`); per-delivery latency from send to receive, p50/p95/p99/max, and
 * delivered/expected. Also: how long N people connecting at once take until everyone's presence
 * is known (batched `presence` events), resident memory per connection (server RSS delta / N),
 * and `sessions.requestHelp` delivery latency to the host (and to an admin's help inbox). Before
 * each N, a yardstick: the same fan-out through bare `ws` (bench/lib/bare-ws-server.ts) on the same
 * core, so that each run says what the machine itself costs per delivery.
 *
 * Processes: the server is `bench/lib/pulse-server.ts` (API-only `startPulse`, as for
 * `npm run bench`, NODE_ENV=production, silent logs, `--expose-gc` so that memory is
 * sampled after a collection), a fresh process per N, pinned to CPU 1; this process is the load generator —
 * every subscriber is a bare `ws` socket speaking tRPC's WebSocket protocol (as `createWSClient`
 * does: `?connectionParams=1`, a `connectionParams` message with the token, a `subscription`
 * request), and the publisher is a plain HTTP client — pinned to CPU 0. PostgreSQL is a throwaway
 * embedded cluster (or a throwaway database on DATABASE_URL) and is not pinned.
 *
 * Timing is server-independent: the publisher puts `performance.timeOrigin + performance.now()`
 * into each message's text just before sending it, and each subscriber reads the same clock
 * (same process) the moment the frame arrives.
 *
 * Accounts are written straight into the database — users, API tokens hashed as the server hashes
 * them, and for the N subscribers their seats in the session with their `joined` events: signing
 * thousands up through argon2 would take minutes and measure nothing here. Each subscriber
 * authenticates with its own API token; the host creates the session and the publisher joins it
 * through the API.
 *
 * Options: --n=500,1000,5000 --messages=200 --rate=20 --help=100 --help-rate=10
 *          --connect-concurrency=50 --drain-seconds=15 (stop waiting for deliveries after this long
 *          without any) --settle-seconds=120
 *          --profile (write a --cpu-prof of the server to bench/results/profiles/)
 *          --server-args="--max-semi-space-size=64" (extra node options for the server)
 *          --priority=-10 (as root: this process, the servers and PostgreSQL at a higher scheduling
 *                          priority than other work on a shared machine, as `npm run bench` does)
 *          --no-pin --no-write (print only)
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { build, type Histogram } from "hdr-histogram-js";
import pg from "pg";
import superjson from "superjson";
import WebSocket from "ws";
import { API_TOKEN_PREFIX, hashSecret, newSecret } from "@/server/features/auth/tokens";
import { applyPresence, type PresenceBatch } from "@/server/features/sessions/presence";
import { openBenchDatabase, type BenchDatabase } from "./lib/database.js";
import { benchDir, hasTaskset, pinProcess, setOwnPriority, startServer, type ServerProcess } from "./lib/processes.js";
import { environment, figure, updateReadme, writeResult, type BenchResult, type Environment, type Figure } from "./lib/report.js";
import { wsUrl } from "./lib/ws.js";

const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "500,1000,5000" },
    messages: { type: "string", default: "200" },
    rate: { type: "string", default: "20" },
    help: { type: "string", default: "100" },
    "help-rate": { type: "string", default: "10" },
    "connect-concurrency": { type: "string", default: "50" },
    "drain-seconds": { type: "string", default: "15" },
    "settle-seconds": { type: "string", default: "120" },
    profile: { type: "boolean", default: false },
    "server-args": { type: "string", default: "" },
    "no-pin": { type: "boolean", default: false },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});

const COMMAND = `npx tsx bench/sessions-fanout.ts${args.priority === undefined ? "" : ` --priority=${args.priority}`}`;
const sizes = args.n.split(",").map((s) => Number(s.trim())).filter((n) => n > 0);
const MESSAGES = Number(args.messages);
const RATE = Number(args.rate);
const HELP = Number(args.help);
const HELP_RATE = Number(args["help-rate"]);
const CONCURRENCY = Number(args["connect-concurrency"]);
const DRAIN_MS = Number(args["drain-seconds"]) * 1000;
const SETTLE_MS = Number(args["settle-seconds"]) * 1000;
const CONNECT_TIMEOUT_MS = 60_000;
const SERVER_ARGS = args["server-args"].split(" ").filter(Boolean);

const log = (message: string) => console.log(`[sessions ${new Date().toISOString().slice(11, 19)}] ${message}`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
/** Epoch milliseconds with sub-millisecond resolution: the clock both ends of a delivery read. */
const clock = () => performance.timeOrigin + performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Milliseconds from a histogram of microseconds. */
function percentiles(h: Histogram): Percentiles {
  const ms = (us: number) => round(us / 1000, 2);
  if (h.totalCount === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

const recordMs = (h: Histogram, ms: number) => h.recordValue(Math.max(1, Math.round(ms * 1000)));

// ── HTTP calls (the publisher, set-up) ───────────────────────────────────────────────────

async function call<T>(baseUrl: string, procedure: string, input: unknown, token?: string, method: "POST" | "GET" = "POST"): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const serialized = JSON.stringify(superjson.serialize(input));
  const url = `${baseUrl}/api/trpc/${procedure}` + (method === "GET" ? `?input=${encodeURIComponent(serialized)}` : "");
  const response = await fetch(url, { method, headers, body: method === "POST" ? serialized : undefined });
  const body = (await response.json()) as { result?: { data: never }; error?: { json?: { message?: string } } };
  if (!response.ok || !body.result) throw new Error(`${procedure} answered ${response.status}: ${body.error?.json?.message ?? JSON.stringify(body)}`);
  return superjson.deserialize(body.result.data) as T;
}

interface Account {
  userId: string;
  token: string;
  name: string;
}

/**
 * Accounts with an API token each, written straight into the database (signing thousands up
 * through argon2 would take minutes, measure nothing here, and leave the server's memory full of
 * the hashes' buffers before the memory baseline). With `sessionId`, they are seated in it, with
 * their `joined` events, as if they had joined.
 */
async function createAccounts(
  databaseUrl: string,
  names: string[],
  options: { role?: "USER" | "ADMIN"; sessionId?: string } = {},
): Promise<Account[]> {
  const stamp = `${Date.now()}-${randomUUID().slice(0, 8)}`;
  const accounts = names.map((name) => ({ userId: randomUUID(), token: newSecret(API_TOKEN_PREFIX), name }));
  const ids = accounts.map((a) => a.userId);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt")
       SELECT id, 'bench-' || $3::text || '-' || ord || '@example.com', name, 'no password: benchmark account', $4::"Role", now()
       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS t(id, name, ord)`,
      [ids, names, stamp, options.role ?? "USER"],
    );
    await client.query(
      `INSERT INTO "ApiToken" (id, "userId", name, "tokenHash", prefix)
       SELECT gen_random_uuid(), "userId", 'benchmark', hash, prefix FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t("userId", hash, prefix)`,
      [ids, accounts.map((a) => hashSecret(a.token)), accounts.map((a) => a.token.slice(0, 12))],
    );
    if (options.sessionId) {
      await client.query(
        `INSERT INTO "SessionParticipant" (id, "sessionId", "userId", name, role)
         SELECT gen_random_uuid(), $1::uuid, "userId", name, 'participant' FROM unnest($2::uuid[], $3::text[]) AS t("userId", name)`,
        [options.sessionId, ids, names],
      );
      await client.query(
        `INSERT INTO "SessionEvent" ("sessionId", type, "userId", payload)
         SELECT $1::uuid, 'joined', "userId", jsonb_build_object('name', name, 'role', 'participant')
         FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS t("userId", name, ord) ORDER BY ord`,
        [options.sessionId, ids, names],
      );
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
  return accounts;
}

// ── Subscribers ──────────────────────────────────────────────────────────────────────────

/** What the subscribers of one run record, shared (one histogram for all deliveries). */
class Recorder {
  readonly fanout = histogram();
  readonly helpHost = histogram();
  readonly helpAdmin = histogram();
  readonly connect = histogram();
  delivered = 0;
  duplicates = 0;
  /** An event id not above the previous one on the same stream. */
  orderViolations = 0;
  presenceEvents = 0;
  presenceEntries = 0;
  presenceDeliveries = 0;
  helpDeliveries = 0;
  errors: string[] = [];
  /** Set by the observer: the presence event after which every subscriber is known online. */
  settleId: number | undefined;
  settleObservedAt: number | undefined;

  constructor(readonly messages: number) {}
}

type Role = "subscriber" | "observer" | "host" | "admin";

interface StreamMessage {
  id?: number;
  result?: { type: string; data?: { json: { id: string; data: { type: string; text?: string; note?: string } & Partial<PresenceBatch> } } };
  error?: { json?: { message?: string } };
}

/** In a data frame: the tracked event's id (`{"json":{"id":"123",...`), and a publisher's chat line's text. */
const TRACKED_ID = '"json":{"id":"';
const MESSAGE_TEXT = '"text":"m ';

class Subscriber {
  started = false;
  closed = false;
  lastId = 0;
  messages = 0;
  help = 0;
  /** When each presence event arrived (by id). */
  private readonly presenceAt = new Map<number, number>();
  /** The first event id this stream delivered (where it began). */
  firstId = Infinity;
  private readonly seen: Uint8Array;
  /** The observer's view of who is online (user id → instances). */
  private readonly online = new Map<string, Set<string>>();

  private constructor(
    readonly ws: WebSocket,
    readonly role: Role,
    private readonly recorder: Recorder,
    private readonly everyone: Set<string> | undefined,
  ) {
    this.seen = new Uint8Array(recorder.messages);
  }

  /** Opens the socket, authenticates and subscribes; resolves once the subscription has started. */
  static open(
    baseUrl: string,
    token: string,
    input: { sessionId?: string; lastEventId?: string },
    role: Role,
    recorder: Recorder,
    everyone?: Set<string>,
  ): Promise<Subscriber> {
    const opened = performance.now();
    const ws = new WebSocket(wsUrl(baseUrl), { perMessageDeflate: false });
    const subscriber = new Subscriber(ws, role, recorder, everyone);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`not subscribed within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      const fail = (error: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      ws.on("open", () => {
        ws.send(JSON.stringify({ method: "connectionParams", data: { token } }));
        ws.send(JSON.stringify({ id: 1, method: "subscription", params: { path: "sessions.events", input: superjson.serialize(input) } }));
      });
      ws.on("message", (raw: Buffer) => {
        const status = subscriber.receive(raw);
        if (status === "started") {
          clearTimeout(timer);
          recordMs(recorder.connect, performance.now() - opened);
          resolve(subscriber);
        } else if (status instanceof Error && !subscriber.started) fail(status);
      });
      ws.on("error", (error) => (subscriber.started ? recorder.errors.push(error.message) : fail(error)));
      ws.on("close", (code) => {
        subscriber.closed = true;
        if (!subscriber.started) fail(new Error(`closed (${code}) before subscribing`));
      });
    });
  }

  private receive(raw: Buffer): "started" | Error | undefined {
    const at = clock();
    const text = raw.toString();
    if (text === "PING") return void this.ws.send("PONG");
    if (text === "PONG") return;
    // The hot path — a chat line, N × 20 of them a second on this one core — without JSON.parse:
    // the event id and the text ("m <seq> <sent epoch ms>", written by the publisher) are found by
    // their keys. Everything else is parsed in full below.
    const textAt = text.indexOf(MESSAGE_TEXT);
    const idAt = text.indexOf(TRACKED_ID);
    if (textAt !== -1 && idAt !== -1) {
      const idStart = idAt + TRACKED_ID.length;
      this.track(Number(text.slice(idStart, text.indexOf('"', idStart))));
      const body = text.slice(textAt + MESSAGE_TEXT.length, text.indexOf('"', textAt + MESSAGE_TEXT.length));
      const space = body.indexOf(" ");
      this.message(Number(body.slice(0, space)), Number(body.slice(space + 1)), at);
      return;
    }
    const message = JSON.parse(text) as StreamMessage;
    if (message.error) {
      const error = new Error(message.error.json?.message ?? text.slice(0, 200));
      this.recorder.errors.push(error.message);
      return error;
    }
    const result = message.result;
    if (result?.type === "started") {
      this.started = true;
      return "started";
    }
    if (result?.type !== "data" || !result.data) return;
    const id = Number(result.data.json.id);
    const event = result.data.json.data;
    this.track(id);

    switch (event.type) {
      case "message": {
        const [, seq, sent] = event.text!.split(" ");
        this.message(Number(seq), Number(sent), at);
        return;
      }
      case "help": {
        this.help++;
        this.recorder.helpDeliveries++;
        const sent = Number(event.note!.split(" ")[2]);
        if (this.role === "host") recordMs(this.recorder.helpHost, at - sent);
        if (this.role === "admin") recordMs(this.recorder.helpAdmin, at - sent);
        return;
      }
      case "presence": {
        this.recorder.presenceDeliveries++;
        this.presenceAt.set(id, at);
        if (this.role !== "observer") return;
        const batch = event as PresenceBatch;
        this.recorder.presenceEvents++;
        this.recorder.presenceEntries += batch.online.length + batch.offline.length;
        applyPresence(this.online, batch);
        if (this.recorder.settleId === undefined && [...this.everyone!].every((userId) => this.online.has(userId))) {
          this.recorder.settleId = id;
          this.recorder.settleObservedAt = at;
        }
        return;
      }
    }
  }

  /** When the settle event (the presence event that completed everyone's "online") arrived here. */
  get settledAt(): number | undefined {
    return this.recorder.settleId === undefined ? undefined : this.presenceAt.get(this.recorder.settleId);
  }

  /** Every event: ids must increase on a stream. */
  private track(id: number): void {
    if (this.firstId === Infinity) this.firstId = id;
    if (id <= this.lastId) this.recorder.orderViolations++;
    this.lastId = id;
  }

  /** A chat line from the publisher: number `seq`, sent at `sent` (epoch ms). */
  private message(seq: number, sent: number, at: number): void {
    if (this.seen[seq]) {
      this.recorder.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    this.messages++;
    if (this.role === "subscriber" || this.role === "observer") {
      this.recorder.delivered++;
      recordMs(this.recorder.fanout, at - sent);
    }
  }

  close(): void {
    if (!this.closed) this.ws.terminate();
  }
}

async function openAll(
  baseUrl: string,
  accounts: Account[],
  input: (index: number) => { sessionId: string; lastEventId?: string },
  recorder: Recorder,
  everyone: Set<string>,
): Promise<{ subscribers: Subscriber[]; failures: string[] }> {
  const subscribers: Subscriber[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < accounts.length) {
      const index = next++;
      try {
        const role: Role = index === 0 ? "observer" : "subscriber";
        subscribers.push(await Subscriber.open(baseUrl, accounts[index]!.token, input(index), role, recorder, role === "observer" ? everyone : undefined));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, accounts.length) }, worker));
  return { subscribers, failures };
}

// ── One run ──────────────────────────────────────────────────────────────────────────────

async function waitFor(check: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

/** Server RSS (median of three samples) and V8 heap in use, after full garbage collections. */
/**
 * Waits until `done()`, as long as `progress()` keeps changing: an overloaded server is slow, not
 * lossy, so what is still arriving is waited for; `stallMs` without any change ends the wait.
 */
async function waitWhileProgressing(done: () => boolean, progress: () => number, stallMs: number): Promise<boolean> {
  let last = progress();
  let since = performance.now();
  while (!done()) {
    await sleep(50);
    const now = progress();
    if (now !== last) [last, since] = [now, performance.now()];
    else if (performance.now() - since > stallMs) return false;
  }
  return true;
}

async function sampleMemory(server: ServerProcess): Promise<{ rss: number; heapUsed: number | undefined }> {
  // Twice, a moment apart: the first collection may leave pages that the allocator returns later.
  await server.ask("gc");
  await sleep(500);
  const collected = await server.ask<{ usage: NodeJS.MemoryUsage }>("gc");
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(300);
    samples.push(await server.rss());
  }
  return { rss: median(samples), heapUsed: collected?.usage.heapUsed };
}

/** Sends `count` calls at `rate` per second on a fixed schedule (not waiting for answers), returns their round trips. */
async function paced(
  count: number,
  rate: number,
  send: (seq: number) => Promise<void>,
): Promise<{ roundTrip: Percentiles; ok: number; failures: string[]; wallS: number }> {
  const roundTrip = histogram();
  const failures: string[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now() + 50;
  for (let seq = 0; seq < count; seq++) {
    const due = start + (seq * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const began = performance.now();
    pending.push(
      send(seq).then(
        () => recordMs(roundTrip, performance.now() - began),
        (error: unknown) => void failures.push((error as Error).message),
      ),
    );
  }
  await Promise.all(pending);
  const result = {
    roundTrip: percentiles(roundTrip),
    ok: count - failures.length,
    failures: [...new Set(failures)].slice(0, 5),
    wallS: round((performance.now() - start) / 1000, 2),
  };
  roundTrip.destroy();
  return result;
}

interface RunResult {
  n: number;
  /** The same fan-out through bare `ws` on the same core (see `yardstick`). */
  bareWs?: YardstickResult;
  connect: { wallS: number; failed: number; failures: string[]; subscribeMs: Percentiles };
  presence: {
    /** The observer learned (from presence events) that every subscriber is online. */
    allOnlineKnown: boolean;
    /** From the first connection attempt until the observer knew every subscriber online. */
    settleWrittenS: number | null;
    /** … until the last subscriber that had subscribed before that presence event was written received it. */
    settleDeliveredS: number | null;
    /** Subscribers that received that presence event … */
    receivedSettleEvent: number;
    /** … and those whose stream began after it (they know who is online from `byId`, as a real client does). */
    subscribedAfterSettleEvent: number;
    /** Subscribers that subscribed before it and never received it: should be 0. */
    missedSettleEvent: number;
    events: number;
    entries: number;
    deliveries: number;
  };
  fanout: {
    messages: number;
    ratePerS: number;
    expected: number;
    delivered: number;
    deliveredPct: number;
    duplicates: number;
    orderViolations: number;
    latencyMs: Percentiles;
    sendMessageRoundTripMs: Percentiles;
    sendFailures: string[];
    /** Messages the server accepted (the others answered an error and were not written). */
    messagesAccepted: number;
    wallS: number;
    serverCpuPct: number | null;
    /** Server CPU time during the fan-out ÷ messages delivered (to the N subscribers and the host). */
    serverCpuMicrosecondsPerDelivery: number | null;
    loadGeneratorCpuPct: number;
  };
  help: {
    requests: number;
    ratePerS: number;
    host: { received: number; latencyMs: Percentiles; position: string };
    adminInbox: { received: number; latencyMs: Percentiles };
    requestHelpRoundTripMs: Percentiles;
    deliveriesInSession: number;
    failures: string[];
  };
  memory: {
    rssBeforeBytes: number;
    /** With all N still connected, after the timed phases (a forced collection before them would slow their start). */
    rssConnectedBytes: number;
    perConnectionKB: number;
    heapUsedBeforeBytes?: number;
    heapUsedConnectedBytes?: number;
    /** V8 heap in use per connection (after a GC): the JavaScript side of the figure above. */
    heapPerConnectionKB?: number;
  };
  errors: string[];
  profile?: string;
}

async function run(n: number, database: BenchDatabase, cpu: number | undefined, admin: { account?: Account }): Promise<RunResult> {
  const profileDir = path.join(benchDir, "results", "profiles");
  if (args.profile) fs.mkdirSync(profileDir, { recursive: true });
  const before = new Set(args.profile ? fs.readdirSync(profileDir) : []);
  const server = await startServer("lib/pulse-server.ts", {
    env: { NODE_ENV: "production", BENCH_DATABASE_URL: database.url },
    cpu,
    nodeArgs: ["--expose-gc", ...SERVER_ARGS, ...(args.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
  });
  log(`N = ${thousands(n)}: server ${server.url} (pid ${server.pid}${cpu === undefined ? "" : `, CPU ${cpu}`})`);
  const recorder = new Recorder(MESSAGES);
  const subscribers: Subscriber[] = [];
  try {
    // The first account of the database is its admin: sign it up once, on the first run.
    admin.account ??= (await createAccounts(database.url, ["Bench Admin"], { role: "ADMIN" }))[0]!;
    const [host, publisher] = (await createAccounts(database.url, ["Bench Host", "Bench Publisher"])) as [Account, Account];
    const session = await call<{ id: string }>(server.url, "sessions.create", { kind: "breathing", title: `Fan-out ${n}`, capacity: 10_000 }, host.token);
    await call(server.url, "sessions.join", { sessionId: session.id }, publisher.token);
    log(`N = ${thousands(n)}: seating ${thousands(n)} subscribers (users, API tokens, seats) in the database`);
    const accounts = await createAccounts(
      database.url,
      Array.from({ length: n }, (_, i) => `Subscriber ${i + 1}`),
      { sessionId: session.id },
    );
    const everyone = new Set(accounts.map((a) => a.userId));
    const { lastEventId } = await call<{ lastEventId: string }>(server.url, "sessions.byId", { sessionId: session.id }, host.token, "GET");

    await sleep(2_000);
    const { rss: rssBefore, heapUsed: heapBefore } = await sampleMemory(server);

    // Connect: everyone at once (CONCURRENCY sockets in flight), like a room filling up.
    // The observer (the first) follows from before anyone connected, so it sees every presence event.
    log(`N = ${thousands(n)}: connecting ${thousands(n)} subscribers, ${CONCURRENCY} at a time`);
    const connectStart = clock();
    const opened = await openAll(server.url, accounts, (i) => (i === 0 ? { sessionId: session.id, lastEventId } : { sessionId: session.id }), recorder, everyone);
    subscribers.push(...opened.subscribers);
    const connectWallS = round((clock() - connectStart) / 1000, 2);
    log(`N = ${thousands(n)}: ${thousands(opened.subscribers.length)} subscribed in ${connectWallS} s (${opened.failures.length} failed); waiting for presence to settle`);
    // Settled: the observer knows everyone is online, and every other subscriber has received that
    // presence event. The subscribers follow from "now" (no lastEventId), and the last ones' own
    // presence may be written before their stream's starting point: those never receive it (a real
    // client has it from byId) — so wait until no more arrive for a while, and sort them out by the
    // first event they receive (during the fan-out below).
    const known = await waitFor(() => recorder.settleId !== undefined, SETTLE_MS, 50);
    let settledCount = 0;
    let quietSince = performance.now();
    while (known && subscribers.some((s) => s.settledAt === undefined && !s.closed) && performance.now() - quietSince < 3_000) {
      await sleep(50);
      const count = subscribers.filter((s) => s.settledAt !== undefined).length;
      if (count !== settledCount) [settledCount, quietSince] = [count, performance.now()];
    }
    const settleDelivered = subscribers.filter((s) => s.settledAt !== undefined && s.firstId <= recorder.settleId!).map((s) => s.settledAt!);
    const presence = {
      allOnlineKnown: known,
      settleWrittenS: recorder.settleObservedAt ? round((recorder.settleObservedAt - connectStart) / 1000, 2) : null,
      settleDeliveredS: settleDelivered.length ? round((Math.max(...settleDelivered) - connectStart) / 1000, 2) : null,
      receivedSettleEvent: settleDelivered.length,
      subscribedAfterSettleEvent: 0, // counted after the fan-out, when every stream has received something
      missedSettleEvent: 0,
      events: recorder.presenceEvents,
      entries: recorder.presenceEntries,
      deliveries: recorder.presenceDeliveries,
    };
    log(
      `N = ${thousands(n)}: ${known ? "everyone online" : "NOT everyone online"} after ${presence.settleWrittenS} s (observer), ` +
        `delivered to the ${thousands(settleDelivered.length)} subscribed by then after ${presence.settleDeliveredS} s (${presence.events} presence events)`,
    );

    // The host and the admin's help inbox connect last (the server serves a session's host first all the same).
    subscribers.push(await Subscriber.open(server.url, host.token, { sessionId: session.id }, "host", recorder));
    subscribers.push(await Subscriber.open(server.url, admin.account.token, {}, "admin", recorder));
    await sleep(1_500);

    // Fan-out: MESSAGES chat lines at RATE per second.
    log(`N = ${thousands(n)}: publishing ${MESSAGES} messages at ${RATE}/s`);
    const cpuServer0 = server.cpuMs();
    const cpuLoad0 = process.cpuUsage();
    const fanStart = performance.now();
    const sends = await paced(MESSAGES, RATE, async (seq) => {
      await call(server.url, "sessions.sendMessage", { sessionId: session.id, text: `m ${seq} ${clock().toFixed(3)}` }, publisher.token);
    });
    // A message the server refused (an error answer) was not written: nobody is owed it.
    const expected = opened.subscribers.length * sends.ok;
    const hostMessages = () => subscribers.find((s) => s.role === "host")?.messages ?? 0;
    await waitWhileProgressing(() => recorder.delivered >= expected, () => recorder.delivered, DRAIN_MS);
    const fanWallS = (performance.now() - fanStart) / 1000;
    const cpuServer1 = server.cpuMs();
    const cpuLoad = process.cpuUsage(cpuLoad0);
    const fanout = {
      messages: MESSAGES,
      messagesAccepted: sends.ok,
      ratePerS: RATE,
      expected,
      delivered: recorder.delivered,
      deliveredPct: round((100 * recorder.delivered) / Math.max(1, expected), 3),
      duplicates: recorder.duplicates,
      orderViolations: recorder.orderViolations,
      latencyMs: percentiles(recorder.fanout),
      sendMessageRoundTripMs: sends.roundTrip,
      sendFailures: sends.failures,
      wallS: round(fanWallS, 2),
      serverCpuPct: cpuServer0 !== undefined && cpuServer1 !== undefined ? round((100 * (cpuServer1 - cpuServer0)) / 1000 / fanWallS, 1) : null,
      serverCpuMicrosecondsPerDelivery:
        cpuServer0 !== undefined && cpuServer1 !== undefined ? round(((cpuServer1 - cpuServer0) * 1000) / Math.max(1, recorder.delivered + hostMessages()), 1) : null,
      loadGeneratorCpuPct: round((100 * (cpuLoad.user + cpuLoad.system)) / 1e6 / fanWallS, 1),
    };
    const l = fanout.latencyMs;
    log(
      `N = ${thousands(n)}: delivered ${thousands(fanout.delivered)}/${thousands(expected)} (${fanout.deliveredPct} %), ` +
        `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms; sendMessage round trip p50 ${sends.roundTrip.p50} ms, ` +
        `p99 ${sends.roundTrip.p99} ms; server CPU ${fanout.serverCpuPct} % (${fanout.serverCpuMicrosecondsPerDelivery} µs per delivery), ` +
        `load generator CPU ${fanout.loadGeneratorCpuPct} %`,
    );
    if (recorder.settleId !== undefined) {
      const members = subscribers.filter((s) => s.role === "subscriber" || s.role === "observer");
      presence.subscribedAfterSettleEvent = members.filter((s) => s.firstId > recorder.settleId!).length;
      presence.missedSettleEvent = members.filter((s) => s.firstId <= recorder.settleId! && s.settledAt === undefined).length;
    }

    // Help requests: from a participant, to the host (in the session's stream) and the admins' inbox.
    log(`N = ${thousands(n)}: ${HELP} help requests at ${HELP_RATE}/s`);
    const helpBefore = recorder.helpDeliveries;
    const helpSends = await paced(HELP, HELP_RATE, async (seq) => {
      await call(server.url, "sessions.requestHelp", { sessionId: session.id, note: `help ${seq} ${clock().toFixed(3)}` }, publisher.token);
    });
    const hostSub = subscribers.find((s) => s.role === "host")!;
    const adminSub = subscribers.find((s) => s.role === "admin")!;
    await waitWhileProgressing(() => hostSub.help >= HELP && adminSub.help >= HELP, () => recorder.helpDeliveries, DRAIN_MS);
    const help = {
      requests: HELP,
      ratePerS: HELP_RATE,
      host: {
        received: hostSub.help,
        latencyMs: percentiles(recorder.helpHost),
        position: `connected last of ${thousands(opened.subscribers.length + 1)} subscribers of the session (the server serves a session's host first)`,
      },
      adminInbox: { received: adminSub.help, latencyMs: percentiles(recorder.helpAdmin) },
      requestHelpRoundTripMs: helpSends.roundTrip,
      deliveriesInSession: recorder.helpDeliveries - helpBefore - adminSub.help,
      failures: helpSends.failures,
    };
    log(`N = ${thousands(n)}: help to the host p50 ${help.host.latencyMs.p50} ms, p99 ${help.host.latencyMs.p99} ms (${help.host.received}/${HELP}); admin inbox p99 ${help.adminInbox.latencyMs.p99} ms`);

    // Memory once the timed phases are over: the forced full collections it takes would otherwise
    // cost the first second of the fan-out (measured: the first 35 messages 100-290 ms late).
    const { rss: rssConnected, heapUsed: heapConnected } = await sampleMemory(server);
    const perKB = (rss: number) => round((rss - rssBefore) / 1024 / Math.max(1, opened.subscribers.length), 1);
    return {
      n,
      connect: { wallS: connectWallS, failed: opened.failures.length, failures: [...new Set(opened.failures)].slice(0, 5), subscribeMs: percentiles(recorder.connect) },
      presence,
      fanout,
      help,
      memory: {
        rssBeforeBytes: rssBefore,
        rssConnectedBytes: rssConnected,
        perConnectionKB: perKB(rssConnected),
        heapUsedBeforeBytes: heapBefore,
        heapUsedConnectedBytes: heapConnected,
        heapPerConnectionKB:
          heapBefore !== undefined && heapConnected !== undefined ? round((heapConnected - heapBefore) / 1024 / Math.max(1, opened.subscribers.length), 1) : undefined,
      },
      errors: [...new Set(recorder.errors)].slice(0, 10),
    };
  } finally {
    for (const s of subscribers) s.close();
    await server.stop();
    for (const h of [recorder.fanout, recorder.helpHost, recorder.helpAdmin, recorder.connect]) h.destroy();
    if (args.profile) {
      const written = fs.readdirSync(profileDir).filter((f) => !before.has(f));
      for (const file of written) {
        const target = path.join(profileDir, `sessions-fanout-${n}-${file}`);
        fs.renameSync(path.join(profileDir, file), target);
        log(`N = ${thousands(n)}: server CPU profile ${path.relative(process.cwd(), target)}`);
      }
    }
  }
}

// ── Yardstick ───────────────────────────────────────────────────────────────────────────

interface YardstickResult {
  n: number;
  latencyMs: Percentiles;
  delivered: number;
  expected: number;
  serverCpuMicrosecondsPerDelivery: number | null;
}

/**
 * The same fan-out (N sockets, MESSAGES lines at RATE/s, same clock, same core) through
 * bench/lib/bare-ws-server.ts: `ws` alone, no database or tRPC. What this machine's kernel and
 * `ws` cost per delivery, the floor under Pulse's figures; machines differ by 2× here.
 */
async function yardstick(n: number, cpu: number | undefined): Promise<YardstickResult> {
  const server = await startServer("lib/bare-ws-server.ts", { cpu });
  const latency = histogram();
  const sockets: WebSocket[] = [];
  let delivered = 0;
  try {
    for (let start = 0; start < n; start += CONCURRENCY) {
      const batch = Array.from({ length: Math.min(CONCURRENCY, n - start) }, () => {
        const ws = new WebSocket(server.url.replace("http", "ws"), { perMessageDeflate: false });
        sockets.push(ws);
        ws.on("message", (raw: Buffer) => {
          const at = clock();
          const text = raw.toString();
          const marker = text.indexOf(MESSAGE_TEXT);
          if (marker === -1) return; // a warm-up line
          const from = marker + MESSAGE_TEXT.length;
          const body = text.slice(from, text.indexOf('"', from));
          delivered++;
          recordMs(latency, at - Number(body.slice(body.indexOf(" ") + 1)));
        });
        return new Promise<void>((resolve, reject) => ws.once("open", resolve).once("error", reject));
      });
      await Promise.all(batch);
    }
    const publish = async (text: string) => {
      const response = await fetch(`${server.url}/publish`, { method: "POST", body: text });
      if (response.status !== 204) throw new Error(`publish answered ${response.status}`);
    };
    // A second of warm-up lines, not measured: Pulse's subscribers have had presence events by now.
    await paced(RATE, RATE, (seq) => publish(`warm-up ${seq}`));
    await sleep(1_000);
    const cpu0 = server.cpuMs();
    const sends = await paced(MESSAGES, RATE, (seq) => publish(`m ${seq} ${clock().toFixed(3)}`));
    const expected = n * sends.ok;
    await waitWhileProgressing(() => delivered >= expected, () => delivered, DRAIN_MS);
    const cpu1 = server.cpuMs();
    const result = {
      n,
      latencyMs: percentiles(latency),
      delivered,
      expected,
      serverCpuMicrosecondsPerDelivery: cpu0 !== undefined && cpu1 !== undefined ? round(((cpu1 - cpu0) * 1000) / Math.max(1, delivered), 1) : null,
    };
    const l = result.latencyMs;
    log(
      `N = ${thousands(n)}, bare ws: delivered ${thousands(delivered)}/${thousands(expected)}, p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, ` +
        `max ${l.max} ms; server CPU ${result.serverCpuMicrosecondsPerDelivery} µs per delivery`,
    );
    return result;
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
    latency.destroy();
  }
}

// ── Report ───────────────────────────────────────────────────────────────────────────────

function toResult(env: Environment, runs: RunResult[], pinned: boolean, priority: number | undefined): BenchResult {
  const figures: Figure[] = [];
  const at1000 = runs.find((r) => r.n === 1000) ?? runs[0];
  if (at1000) {
    const l = at1000.fanout.latencyMs;
    const label = `(d) sessions fan-out, ${thousands(at1000.n)} subscribers`;
    const p99 = figure(`${label}: delivery p99`, l.p99, "ms", `p99 ${l.p99} ms (p50 ${l.p50}, p95 ${l.p95}, max ${l.max})`, "<", 50, "p99 < 50 ms");
    if (at1000.fanout.deliveredPct < 100) p99.pass = false;
    figures.push(p99);
    figures.push(
      figure(
        `${label}: delivered`,
        at1000.fanout.deliveredPct,
        "%",
        `${at1000.fanout.deliveredPct} % (${thousands(at1000.fanout.delivered)} of ${thousands(at1000.fanout.expected)})`,
        ">=",
        100,
        "100 %",
      ),
    );
    const h = at1000.help.host.latencyMs;
    const helpFigure = figure(`${label}: requestHelp to the host, p99`, h.p99, "ms", `p99 ${h.p99} ms (p50 ${h.p50}, max ${h.max})`, "<", 50, "p99 < 50 ms");
    if (at1000.help.host.received < at1000.help.requests) helpFigure.pass = false;
    figures.push(helpFigure);
  }
  return {
    name: "sessions-fanout",
    title: "(d) Live session fan-out: N subscribers, 200 messages at 20/s",
    date: new Date().toISOString(),
    command: COMMAND,
    environment: env,
    settings: {
      sizes,
      messages: MESSAGES,
      ratePerS: RATE,
      helpRequests: HELP,
      helpRatePerS: HELP_RATE,
      connectConcurrency: CONCURRENCY,
      drainSeconds: DRAIN_MS / 1000,
      pinning: pinned ? "server on CPU 1, load generator (subscribers + publisher) on CPU 0, PostgreSQL unpinned" : "none",
      subscribers:
        "bare `ws` sockets in the load-generator process speaking tRPC's WebSocket protocol (connectionParams token, then a " +
        "`sessions.events` subscription), each with its own account and API token (seated directly in the database)",
      publisher: "HTTP POST sessions.sendMessage from the load-generator process, on a fixed schedule (not waiting for answers)",
      timing: "send time (performance.timeOrigin + performance.now()) embedded in the message text; receive time read on the same clock when the frame arrives",
      mode: "API-only server (bench/lib/pulse-server.ts: startPulse without Next), NODE_ENV=production, silent logs; a fresh server process per N",
      serverNodeArgs: SERVER_ARGS,
      priority: priority === undefined ? "default" : `nice ${priority} (load generator, servers and PostgreSQL)`,
      memory: "server RSS (VmRSS, median of 3 samples after a forced GC) with N + 2 sockets subscribed, after the timed phases, minus before any connected, ÷ N",
      yardstick: "before each N, the same fan-out through bench/lib/bare-ws-server.ts (ws alone: no database, tRPC or authentication), pinned to the same CPU",
    },
    figures,
    details: { runs },
    notes: runs.map(
      (r) =>
        `N = ${thousands(r.n)}: ${r.fanout.deliveredPct} % delivered, latency p50 ${r.fanout.latencyMs.p50} / p95 ${r.fanout.latencyMs.p95} / ` +
        `p99 ${r.fanout.latencyMs.p99} / max ${r.fanout.latencyMs.max} ms; requestHelp to the host p99 ${r.help.host.latencyMs.p99} ms; ` +
        `${r.memory.perConnectionKB} KB server RSS per connection; ${thousands(r.n)} connecting at once: everyone's presence known after ` +
        `${r.presence.settleWrittenS ?? "—"} s, delivered after ${r.presence.settleDeliveredS ?? "—"} s (${r.presence.events} presence events)` +
        (r.bareWs ? `; bare ws on the same core: p99 ${r.bareWs.latencyMs.p99} ms, ${r.bareWs.serverCpuMicrosecondsPerDelivery} µs CPU per delivery.` : "."),
    ),
  };
}

const SECTION_START = "<!-- sessions-fanout:start (generated by `npx tsx bench/sessions-fanout.ts`) -->";
const SECTION_END = "<!-- sessions-fanout:end -->";

/** The "Live sessions fan-out" table in bench/README.md, one row per N. */
function updateSection(result: BenchResult): void {
  const readme = path.join(benchDir, "README.md");
  const runs = (result.details.runs as RunResult[]).slice().sort((a, b) => a.n - b.n);
  const ms = (p: Percentiles) => `${p.p50} / ${p.p95} / **${p.p99}** / ${p.max}`;
  const rows = runs.map(
    (r) =>
      `| ${thousands(r.n)} | ${ms(r.fanout.latencyMs)} | ${r.fanout.deliveredPct} % (${thousands(r.fanout.delivered)} / ${thousands(r.fanout.expected)}) | ` +
      `${r.fanout.serverCpuPct ?? "?"} % (${r.fanout.serverCpuMicrosecondsPerDelivery ?? "?"} µs) | ${r.memory.perConnectionKB} KB (heap ${r.memory.heapPerConnectionKB ?? "?"} KB) | ` +
      `${r.presence.allOnlineKnown ? `${r.presence.settleWrittenS} s / ${r.presence.settleDeliveredS} s (${r.presence.events} events)` : "not settled"} | ` +
      `${ms(r.help.host.latencyMs)} (${r.help.host.received}/${r.help.requests}) | ` +
      (r.bareWs ? `${ms(r.bareWs.latencyMs)} (${r.bareWs.serverCpuMicrosecondsPerDelivery} µs) |` : "— |"),
  );
  const body = [
    SECTION_START,
    `Measured ${result.date.slice(0, 10)} with \`${result.command}\` (Node ${result.environment.node}, ${result.environment.cpuCount} × ${result.environment.cpuModel}, load average ${result.environment.loadAverageAtStart} at start).`,
    "",
    "| subscribers (N) | delivery latency p50 / p95 / **p99** / max (ms) | delivered | server CPU during fan-out (per delivery) | server RSS per connection | N connecting at once: everyone online known / delivered | `requestHelp` → host p50 / p95 / **p99** / max (ms) | yardstick: bare `ws`, same core, p50 / p95 / **p99** / max (ms) (CPU per delivery) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    SECTION_END,
  ].join("\n");
  const current = fs.readFileSync(readme, "utf8");
  const start = current.indexOf(SECTION_START.slice(0, 30));
  const end = current.indexOf(SECTION_END);
  if (start === -1 || end === -1) {
    log(`${readme} has no sessions fan-out markers: table not written (add the section from the script's header)`);
    return;
  }
  fs.writeFileSync(readme, current.slice(0, start) + body + current.slice(end + SECTION_END.length));
}

async function main() {
  const started = performance.now();
  const env = environment();
  log(`Node ${env.node}, ${env.cpuCount} CPUs, load average ${env.loadAverageAtStart}; N = ${sizes.map(thousands).join(", ")}`);
  if (env.loadAverageAtStart > 1) log(`warning: the machine is busy (load average ${env.loadAverageAtStart}); figures will be noisy`);
  let database: BenchDatabase | undefined;
  const runs: RunResult[] = [];
  let pinned = false;
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  if (priority !== undefined) {
    // Before PostgreSQL and the servers start: they inherit it.
    if (setOwnPriority(priority)) log(`priority: nice ${priority} for this process and everything it starts`);
    else throw new Error(`could not set priority ${priority} (raising it needs root)`);
  }
  try {
    database = await openBenchDatabase();
    log(`database: ${database.kind}`);
    // After PostgreSQL started, so that it is not pinned with us.
    pinned = !args["no-pin"] && hasTaskset() && pinProcess(process.pid, 0);
    const admin: { account?: Account } = {};
    for (const n of sizes) {
      const bareWs = await yardstick(n, pinned ? 1 : undefined);
      runs.push({ ...(await run(n, database, pinned ? 1 : undefined, admin)), bareWs });
    }
  } finally {
    await database?.close();
  }
  const result = toResult(env, runs, pinned, priority);
  if (!args["no-write"]) {
    writeResult(result);
    updateReadme();
    updateSection(result);
  }
  console.log("");
  for (const f of result.figures) console.log(`${f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
  for (const note of result.notes) console.log(`      ${note}`);
  console.log(`\n${args["no-write"] ? "Not written (--no-write)." : "Wrote bench/results/sessions-fanout.json and bench/README.md."} Took ${round((performance.now() - started) / 1000, 1)} s.`);
  if (result.figures.some((f) => !f.pass)) process.exitCode = 1;
}

await main();
