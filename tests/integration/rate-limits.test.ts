/**
 * The API's rate limits, for real: per client address over HTTP (counted in PostgreSQL, shared by
 * two instances, or in memory), the right-most-trusted X-Forwarded-For rule, the batch cap over
 * HTTP and WebSocket, WebSocket connections per address and per account, a flooding socket, and
 * the running load test's exemption.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Config } from "@/server/config";
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_TOO_MANY_MESSAGES } from "@/shared/api";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually, mutate, query, RawSocket, RawSocketError, rowCounts, sql, within } from "./support/raw";

/** Every limit out of the way (as tests/helpers/server.ts has them); each test lowers the one it checks. */
const HIGH: Config["rateLimits"] = {
  httpPerMinute: 1_000_000,
  store: "postgres",
  wsConnectionsPerUser: 10_000,
  wsConnectionsPerIp: 10_000,
  wsMessagesPer10s: 1_000_000,
  maxBatch: 50,
};
const limits = (lower: Partial<Config["rateLimits"]>) => ({ trustProxy: 1, rateLimits: { ...HIGH, ...lower } });

/** As Render's proxy forwards a request: whatever the client wrote, then the address the proxy saw. */
const via = (address: string, forged?: string) => ({ headers: { "X-Forwarded-For": forged ? `${forged}, ${address}` : address } });
let counter = 0;
/** A new documentation-range address each call. */
const freshAddress = () => `198.18.${Math.floor(++counter / 250)}.${(counter % 250) + 1}`;

const servers: TestServer[] = [];
const sockets: RawSocket[] = [];
async function server(overrides: Partial<Config>, database?: TestServer["database"]): Promise<TestServer> {
  const started = await startTestServer(overrides, database);
  servers.push(started);
  return started;
}
async function open(url: string, options: Parameters<typeof RawSocket.open>[1] = {}): Promise<RawSocket> {
  const socket = await RawSocket.open(url, options);
  sockets.push(socket);
  return socket;
}
afterAll(async () => {
  for (const socket of sockets) socket.close();
  // Second instances first: they share the first one's database, which the first one drops.
  for (const started of servers.reverse()) await started.stop();
});

/** An upgrade the server refuses before the handshake: its status and headers. */
function refusedUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  const target = new URL("/api/ws", url);
  target.protocol = "ws:";
  const ws = new WebSocket(target, { headers });
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.close();
      reject(new Error("the upgrade was accepted"));
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"], body }));
    });
    ws.once("error", () => undefined);
  });
}

describe("HTTP: requests per client address", () => {
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    first = await server(limits({ httpPerMinute: 5 }));
    second = await server(limits({ httpPerMinute: 5 }), first.database);
  });

  it("counts the API, answers RateLimit headers, and past the limit 429 with Retry-After and a tRPC error", async () => {
    const address = freshAddress();
    for (let i = 0; i < 5; i++) {
      const allowed = await query(first.url, "health.ping", undefined, via(address));
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("ratelimit-limit")).toBe("5");
      expect(allowed.headers.get("ratelimit-remaining")).toBe(String(4 - i));
      expect(Number(allowed.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
      expect(Number(allowed.headers.get("ratelimit-reset"))).toBeLessThanOrEqual(60);
    }
    const refused = await query(first.url, "health.ping", undefined, via(address));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("ratelimit-limit")).toBe("5");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(refused.error!.data.code).toBe("TOO_MANY_REQUESTS");
    expect(refused.error!.message).toMatch(/^Too many requests from your address \(the limit is 5 a minute\)\. Try again in \d+ s\.$/);
    expect(refused.error!.data.retryAfterS).toBe(retryAfter);
    expect((refused.error!.data as { requestId?: string }).requestId).toBe(refused.headers.get("x-request-id"));

    // A batch is refused whole, in the shape its client hands to each call.
    const batch = await fetch(`${first.url}/api/trpc/health.ping,health.ping?batch=1&input=${encodeURIComponent("{}")}`, via(address));
    expect(batch.status).toBe(429);
    expect(((await batch.json()) as { error: { json: { data: { code: string } } } }).error.json.data.code).toBe("TOO_MANY_REQUESTS");

    // File downloads are API too: JSON with the request id.
    const download = await fetch(`${first.url}/api/files/${randomUUID()}/download`, via(address));
    expect(download.status).toBe(429);
    expect(download.headers.get("retry-after")).not.toBeNull();
    expect(await download.json()).toMatchObject({ code: "TOO_MANY_REQUESTS", requestId: download.headers.get("x-request-id") });

    // Health checks and metrics are never counted or refused.
    for (const path of ["/health", "/health/live", "/metrics"]) {
      const probe = await fetch(`${first.url}${path}`, via(address));
      expect(probe.status, path).toBe(200);
      expect(probe.headers.get("ratelimit-limit"), path).toBeNull();
    }
    // Another address is not affected.
    expect((await query(first.url, "health.ping", undefined, via(freshAddress()))).status).toBe(200);
  });

  it("a rotated leftmost X-Forwarded-For entry does not escape the limit (TRUST_PROXY=1 reads the rightmost)", async () => {
    const address = freshAddress();
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await query(first.url, "health.ping", undefined, via(address, `203.0.113.${i + 1}`))).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    // Several X-Forwarded-For headers are one list: the forged one first does not help either.
    const twoHeaders = new Headers([["X-Forwarded-For", "203.0.113.99"], ["X-Forwarded-For", address]]);
    expect((await fetch(`${first.url}/api/trpc/health.ping`, { headers: twoHeaders })).status).toBe(429);
  });

  it("counts in PostgreSQL, so two instances share one count", async () => {
    const address = freshAddress();
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await query(i % 2 ? second.url : first.url, "health.ping", undefined, via(address))).status);
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
    const [row] = await sql<{ n: number }>(first.pulse.databaseUrl, `SELECT count(*)::int AS n FROM rate_limits WHERE key = $1`, [`http:${address}`]);
    expect(row!.n).toBe(1);
  });

  it("counts in memory when told to (one instance), and 0 turns the limit off", async () => {
    const memory = await server(limits({ httpPerMinute: 2, store: "memory" }), first.database);
    const address = freshAddress();
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await query(memory.url, "health.ping", undefined, via(address))).status);
    expect(codes).toEqual([200, 200, 429]);
    expect(await sql(first.pulse.databaseUrl, `SELECT key FROM rate_limits WHERE key = $1`, [`http:${address}`])).toHaveLength(0);

    const off = await server(limits({ httpPerMinute: 0 }), first.database);
    for (let i = 0; i < 8; i++) {
      const response = await query(off.url, "health.ping", undefined, via(address));
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-limit")).toBeNull();
    }
  });
});

describe("the batch cap", () => {
  let capped: TestServer;
  beforeAll(async () => {
    capped = await server(limits({ maxBatch: 3 }));
  });

  const signUpInput = (i: number) => ({ json: { email: `batch${i}-${randomUUID()}@example.com`, password: "correct horse battery", name: `B${i}` } });

  it("refuses an HTTP batch of more calls than TRPC_MAX_BATCH before any runs", async () => {
    const before = await rowCounts(capped.pulse.databaseUrl);
    const paths = Array(4).fill("auth.signUp").join(",");
    const body = JSON.stringify(Object.fromEntries([0, 1, 2, 3].map((i) => [i, signUpInput(i)])));
    const response = await fetch(`${capped.url}/api/trpc/${paths}?batch=1`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { json: { message: string; data: { code: string; requestId: string } } } }).error.json;
    expect(error.data.code).toBe("BAD_REQUEST");
    expect(error.message).toBe("A batch may hold at most 3 calls; this one has 4. Send them in smaller batches.");
    expect(error.data.requestId).toBe(response.headers.get("x-request-id"));
    expect(await rowCounts(capped.pulse.databaseUrl)).toEqual(before);

    // GET batches (queries) likewise; a batch within the cap runs.
    const input = encodeURIComponent(JSON.stringify({}));
    expect((await fetch(`${capped.url}/api/trpc/health.ping,health.ping,health.ping,health.ping?batch=1&input=${input}`)).status).toBe(400);
    expect((await fetch(`${capped.url}/api/trpc/health.ping,health.ping,health.ping?batch=1&input=${input}`)).status).toBe(200);
  });

  it("refuses a WebSocket message holding more calls than the cap, answering each call, running none", async () => {
    const before = await rowCounts(capped.pulse.databaseUrl);
    const socket = await open(capped.url);
    type Answer = { id: number; error?: { json: { message: string; data: { code: string } } }; result?: unknown };
    const answers = new Map<number, Answer>();
    socket.ws.on("message", (raw: Buffer) => {
      const message = JSON.parse(raw.toString()) as Answer;
      answers.set(message.id, message);
    });
    socket.ws.send(JSON.stringify([1, 2, 3, 4].map((id) => ({ id: 100 + id, method: "mutation", params: { path: "auth.signUp", input: signUpInput(id) } }))));
    await eventually(() => answers.size === 4, "an answer to each call");
    for (const answer of answers.values()) {
      expect(answer.error?.json.data.code).toBe("BAD_REQUEST");
      expect(answer.error?.json.message).toMatch(/at most 3 calls; this one has 4/);
    }
    expect(await rowCounts(capped.pulse.databaseUrl)).toEqual(before);
    // Three in one message are fine, and the socket still works.
    socket.ws.send(JSON.stringify([1, 2, 3].map((id) => ({ id: 200 + id, method: "query", params: { path: "health.ping", input: { json: null } } }))));
    await eventually(() => [201, 202, 203].every((id) => answers.get(id)?.result), "three answers");
    expect(socket.isOpen).toBe(true);
  });
});

describe("WebSocket connections", () => {
  it("per address: refused at the upgrade with 429 and Retry-After; a rotated leftmost entry does not escape", async () => {
    const limited = await server(limits({ wsConnectionsPerIp: 3 }));
    const address = freshAddress();
    const held = await Promise.all([1, 2, 3].map(() => open(limited.url, via(address))));
    const refused = await refusedUpgrade(limited.url, via(address).headers);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(JSON.parse(refused.body)).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect((await refusedUpgrade(limited.url, via(address, "203.0.113.200").headers)).status).toBe(429);
    // Another address opens; the three held sockets still work.
    const elsewhere = await open(limited.url, via(freshAddress()));
    expect(await elsewhere.call("query", "health.ping")).toHaveProperty("time");
    for (const socket of held) expect(await socket.call("query", "health.ping")).toHaveProperty("time");
    // One closes: there is room again.
    held[0]!.close();
    await held[0]!.closed;
    let reopened: RawSocket | undefined;
    await eventually(async () => Boolean((reopened = await open(limited.url, via(address)).catch(() => undefined))), "a socket from the address again");
    expect(await reopened!.call("query", "health.ping")).toHaveProperty("time");
  });

  it("per account: the socket over the limit is closed with 4429 once its caller is known; other accounts are not affected", async () => {
    const limited = await server(limits({ wsConnectionsPerUser: 2 }));
    const alice = await signUp(limited, "Alice");
    const bob = await signUp(limited, "Bob");
    const [one, two] = [await open(limited.url, { token: alice.token }), await open(limited.url, { token: alice.token })];
    expect(await one.call("query", "auth.me")).toMatchObject({ id: alice.user.id });
    expect(await two.call("query", "auth.me")).toMatchObject({ id: alice.user.id });
    const third = await open(limited.url, { token: alice.token });
    const closed = await within(third.closed, "the third socket to close");
    expect(closed.code).toBe(CLOSE_TOO_MANY_CONNECTIONS);
    expect(closed.reason).toMatch(/Too many connections for this account \(at most 2\)/);
    // By cookie (a browser) the same account counts the same.
    const byCookie = await open(limited.url, { headers: { Cookie: `pulse_session=${alice.token}` } });
    expect((await within(byCookie.closed, "the cookie socket to close")).code).toBe(CLOSE_TOO_MANY_CONNECTIONS);
    const bobs = await open(limited.url, { token: bob.token });
    expect(await bobs.call("query", "auth.me")).toMatchObject({ id: bob.user.id });
    expect(one.isOpen && two.isOpen).toBe(true);
    // When one of Alice's closes, she may open another.
    one.close();
    await one.closed;
    let again: RawSocket | undefined;
    await eventually(async () => {
      again = await open(limited.url, { token: alice.token });
      const outcome = await Promise.race([again.call("query", "auth.me").then(() => true), again.closed.then(() => false)]);
      return outcome;
    }, "a socket for Alice again");
    expect(again!.isOpen).toBe(true);
  });
});

describe("WebSocket calls per connection", () => {
  it("refuses a flooding socket's calls with TOO_MANY_REQUESTS, then closes it; another socket's calls still succeed", async () => {
    const limited = await server(limits({ wsMessagesPer10s: 20 }));
    const address = freshAddress();
    const flooder = await open(limited.url, via(address));
    const neighbour = await open(limited.url, via(address));
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, () => flooder.call("query", "health.ping").then(() => "OK", (error: RawSocketError) => error.shape)),
    );
    expect(outcomes.slice(0, 20)).toEqual(Array(20).fill("OK"));
    for (const refused of outcomes.slice(20)) {
      expect(refused).toMatchObject({ data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } });
      const { message, data } = refused as RawSocketError["shape"];
      expect(message).toMatch(/Too many calls on this connection \(at most 20 in 10 s\)\. Try again in \d+ s\./);
      expect(data.retryAfterS).toBeGreaterThan(0);
      expect(data.retryAfterS).toBeLessThanOrEqual(10);
    }
    // Its neighbour, on the same address and instance, is served throughout.
    for (let i = 0; i < 5; i++) expect(await neighbour.call("query", "health.ping")).toHaveProperty("time");

    // The flooder keeps going: past twice its allowance, it is closed with 4008.
    for (let i = 0; i < 15; i++) void flooder.call("query", "health.ping").catch(() => undefined);
    const closed = await within(flooder.closed, "the flooding socket to close");
    expect(closed.code).toBe(CLOSE_TOO_MANY_MESSAGES);
    expect(closed.reason).toMatch(/Too many messages/);
    expect(await neighbour.call("query", "health.ping")).toHaveProperty("time");
    const metrics = await (await fetch(`${limited.url}/metrics`)).text();
    expect(metrics).toMatch(/pulse_rate_limited_total\{limit="ws_calls"\} (1\d|2\d)/);
    expect(metrics).toContain('pulse_rate_limited_total{limit="ws_closed"} 1');
  });
});

describe("the running load test's traffic", () => {
  it("is exempt from the per-address limits over HTTP and WebSocket; the same address without the secret is not", async () => {
    // Three requests a minute, two sockets per address and per account: far below what the runs need.
    const limited = await server(limits({ httpPerMinute: 3, wsConnectionsPerIp: 2, wsConnectionsPerUser: 2, wsMessagesPer10s: 3 }));
    // The test's own calls each come from a new address (the load comes from 127.0.0.1, no proxy).
    const admin = await mutate<{ token: string }>(limited.url, "auth.signUp", { email: `admin-${randomUUID()}@example.com`, password: "correct horse battery", name: "Admin" }, via(freshAddress()));
    const token = admin.data!.token;
    async function run(input: Record<string, unknown>) {
      const started = await mutate<{ runId: string }>(limited.url, "loadTest.start", input, { token, ...via(freshAddress()) });
      expect(started.status, started.text).toBe(200);
      let run: { status: string; message: string | null; result: { requests: number; errors: number; delivered?: number; expected?: number } | null } | undefined;
      await eventually(async () => {
        run = (await query<typeof run>(limited.url, "loadTest.byId", { runId: started.data!.runId }, { token, ...via(freshAddress()) })).data;
        return run !== undefined && run.status !== "running";
      }, "the run ends", 60_000);
      return run!;
    }

    const read = await run({ scenario: "http-read", connections: 2, durationS: 2, ratePerS: 50 });
    expect(read.status, read.message ?? "").toBe("completed");
    expect(read.result!.requests).toBeGreaterThan(30);
    expect(read.result!.errors).toBe(0);

    const fanOut = await run({ scenario: "websocket", connections: 6, durationS: 2, ratePerS: 10 });
    expect(fanOut.status, fanOut.message ?? "").toBe("completed");
    expect(fanOut.result!.errors).toBe(0);
    expect(fanOut.result!.delivered).toBe(fanOut.result!.expected);
    expect(fanOut.result!.expected).toBeGreaterThanOrEqual(6 * 15);

    // The same address without the secret (or with a made-up one) is limited as anyone.
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await query(limited.url, "health.ping", undefined, { headers: { "x-pulse-load-test": `plt_${randomUUID()}${randomUUID()}` } })).status);
    expect(codes).toEqual([200, 200, 200, 429]);
  }, 120_000);
});
