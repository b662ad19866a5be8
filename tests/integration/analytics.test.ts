/**
 * analytics.*, against real measurements: scripted traffic with known latencies and failures
 * (a test-only feature), read back merged across two instances on one database; who may see
 * what (a user only their own requests, over HTTP and WebSocket; admin-only procedures and the
 * live subscription over WebSocket and SSE); bad filters; usage in the summary.
 */
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import type { PerformanceResult, RequestsResult, SummaryResult } from "@/shared/analytics";
import { scriptedModel } from "../helpers/scripted-model";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { exactPercentile, withTraffic } from "./support/analytics";
import { codeOf, eventually, mutate, query, RawSocket, RawSocketError, sql } from "./support/raw";

let first: TestServer;
let second: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let alice: Awaited<ReturnType<typeof signUp>>;
let bob: Awaited<ReturnType<typeof signUp>>;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  const files = { ...loadConfig({ NODE_ENV: "test" }).files, dir: await mkdtemp(path.join(os.tmpdir(), "pulse-analytics-")) };
  first = await startTestServer({ files }, undefined, { features: withTraffic(scriptedModel().model) });
  second = await startTestServer({ files }, first.database, { features: withTraffic(scriptedModel().model) });
  admin = await signUp(first, "Admin"); // the first account is the admin
  alice = await signUp(first, "Alice");
  bob = await signUp(first, "Bob");
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await second?.stop();
  await first?.stop();
});

/** Runs `calls` with at most `parallel` at once. */
async function run(calls: (() => Promise<unknown>)[], parallel = 4) {
  const queue = [...calls];
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await next();
  }));
}

const sleepCall = (server: TestServer, ms: number, token?: string) => () => query(server.url, "traffic.sleep", { ms }, { token });
const failCall = (server: TestServer, code: "INTERNAL" | "BAD_REQUEST", message: string, token?: string) => () => mutate(server.url, "traffic.fail", { code, message }, { token });

async function performance(windowS = 900, route?: string): Promise<PerformanceResult> {
  return first.client(admin.token).analytics.performance.query({ windowS, ...(route ? { route } : {}) });
}

describe("analytics.performance", () => {
  it("reports the counts sent and percentiles that match each call's measured duration, every instance merged", async () => {
    // 20 × 5 ms, 20 × 50 ms, 10 × 120 ms on the first instance; 4 server failures and 3 refusals.
    const sleeps = [...Array(20).fill(5), ...Array(20).fill(50), ...Array(10).fill(120)] as number[];
    await run(sleeps.map((ms) => sleepCall(first, ms)));
    await run([...Array.from({ length: 4 }, (_, i) => failCall(first, "INTERNAL", `Order ${i + 100} could not be packed`)), ...Array.from({ length: 3 }, () => failCall(first, "BAD_REQUEST", "Nope"))]);

    const before = await performance();
    const sleep = before.routes.find((r) => r.route === "trpc:traffic.sleep")!;
    expect(sleep).toMatchObject({ count: 50, errors: 0, clientErrors: 0 });
    const fail = before.routes.find((r) => r.route === "trpc:traffic.fail")!;
    expect(fail).toMatchObject({ count: 7, errors: 4, clientErrors: 3 });
    expect(fail.errorRate).toBeCloseTo(4 / 7, 5);

    // Lower bounds from what was sent (a sleep takes at least its time); the figures themselves
    // match the durations the server measured for those very calls (its request log), within the
    // histogram's precision.
    expect(sleep.p50).toBeGreaterThanOrEqual(50);
    expect(sleep.p90).toBeGreaterThanOrEqual(120);
    expect(sleep.max).toBeGreaterThanOrEqual(120);
    const logged = (await sql<{ durationMs: number }>(first.database.url, `SELECT "durationMs" FROM "RequestLog" WHERE route = 'trpc:traffic.sleep'`)).map((r) => r.durationMs);
    expect(logged).toHaveLength(50);
    const close = (reported: number, exact: number) => expect(Math.abs(reported - exact), `${reported} vs ${exact}`).toBeLessThanOrEqual(exact * 0.01 + 0.01);
    close(sleep.p50, exactPercentile(logged, 50));
    close(sleep.p90, exactPercentile(logged, 90));
    close(sleep.p95, exactPercentile(logged, 95));
    close(sleep.p99, exactPercentile(logged, 99));
    close(sleep.max, Math.max(...logged));
    // Sorted slowest p95 first; the total (route *) holds every call, these included.
    expect(before.routes.map((r) => r.p95)).toEqual([...before.routes.map((r) => r.p95)].sort((a, b) => b - a));
    expect(before.total.route).toBe("*");
    expect(before.total.count).toBeGreaterThanOrEqual(57);
    expect(before.series.reduce((n, point) => n + point.requestsPerS * before.bucketS, 0)).toBeCloseTo(before.total.count, 0);

    // The second instance's traffic shows up in the first's answer.
    await run([...Array(10).fill(200)].map((ms: number) => sleepCall(second, ms)));
    await second.pulse.app.measurements.flush();
    const after = await performance();
    const merged = after.routes.find((r) => r.route === "trpc:traffic.sleep")!;
    expect(merged.count).toBe(60);
    expect(merged.max).toBeGreaterThanOrEqual(200);
    expect(merged.p90).toBeGreaterThanOrEqual(120);
    const instances = await sql<{ instance: string }>(first.database.url, `SELECT DISTINCT instance FROM "MetricMinute" WHERE route = 'trpc:traffic.sleep'`);
    expect(instances.map((r) => r.instance).sort()).toEqual([first.pulse.app.instanceId, second.pulse.app.instanceId].sort());

    // Seven days: rolled-up hours where there are some, minutes for the rest. An hour three hours
    // ago, rolled up (7 calls) and with a minute row of its own (5 calls) that the hour already holds.
    await sql(
      first.database.url,
      `WITH sample AS (SELECT histogram FROM "MetricMinute" WHERE route = 'trpc:traffic.sleep' LIMIT 1),
            h AS (SELECT date_trunc('hour', now()) - interval '3 hours' AS hour)
       INSERT INTO "MetricHour" (hour, route, count, errors, "clientErrors", "sumMs", "maxMs", histogram)
         SELECT h.hour, 'trpc:traffic.sleep', 7, 0, 0, 70, 10, sample.histogram FROM h, sample`,
    );
    await sql(
      first.database.url,
      `INSERT INTO "MetricMinute" (instance, minute, route, count, errors, "clientErrors", "sumMs", "maxMs", histogram)
         SELECT 'gone', date_trunc('hour', now()) - interval '3 hours' + interval '5 minutes', route, 5, 0, 0, 50, 10, histogram
         FROM "MetricMinute" WHERE route = 'trpc:traffic.sleep' LIMIT 1`,
    );
    const week = await performance(7 * 24 * 60 * 60);
    expect(week.routes.find((r) => r.route === "trpc:traffic.sleep")?.count).toBe(67);
    expect(week.series.length).toBeLessThanOrEqual(121);
    expect((await performance(6 * 60 * 60)).routes.find((r) => r.route === "trpc:traffic.sleep")?.count).toBe(65); // minutes only

    // One route: only that route, and its series.
    const one = await performance(900, "trpc:traffic.sleep");
    expect(one.routes.map((r) => r.route)).toEqual(["trpc:traffic.sleep"]);
    expect(one.series.reduce((n, point) => n + Math.round(point.requestsPerS * one.bucketS), 0)).toBe(60);
  });
});

describe("analytics.errors", () => {
  it("groups an admin's errors by fingerprint, with a sample stack; a user sees only their own failures, without stacks", async () => {
    await run([1, 2, 3].map((n) => failCall(first, "INTERNAL", `Invoice ${n}${n}7 is missing`, alice.token)), 1);
    await failCall(first, "BAD_REQUEST", "Bad shelf 42", bob.token)();
    await first.pulse.app.measurements.flush();

    const { groups } = await first.client(admin.token).analytics.errors.query({ windowS: 3600 });
    const invoice = groups.find((g) => g.message.includes("Invoice"))!;
    expect(invoice).toMatchObject({ kind: "server", code: "INTERNAL_SERVER_ERROR", route: "trpc:traffic.fail", count: 3 });
    expect(invoice.sampleStack).toMatch(/Error/);
    expect(invoice.lastRequestId).toBeTruthy();
    const refused = groups.find((g) => g.message.includes("Bad shelf"))!;
    expect(refused).toMatchObject({ kind: "client", code: "BAD_REQUEST", count: 1, sampleStack: null });
    expect((await first.client(admin.token).analytics.errors.query({ kind: "client" })).groups.every((g) => g.kind === "client")).toBe(true);

    const mine = await first.client(alice.token).analytics.errors.query({});
    expect(mine.groups).toHaveLength(1);
    expect(mine.groups[0]).toMatchObject({ kind: "server", code: "INTERNAL_SERVER_ERROR", route: "trpc:traffic.fail", count: 3, sampleStack: null });
    const bobs = await first.client(bob.token).analytics.errors.query({});
    expect(bobs.groups.map((g) => [g.code, g.count])).toEqual([["BAD_REQUEST", 1]]);
  });
});

describe("analytics.requests", () => {
  it("an admin filters the log and pages through it; a user sees only their own requests, over HTTP and WebSocket", async () => {
    await run([sleepCall(first, 1, alice.token), sleepCall(first, 130, alice.token), sleepCall(first, 1, bob.token)], 1);
    const socket = await RawSocket.open(first.url, { token: alice.token });
    sockets.push(socket);
    await socket.call("query", "traffic.sleep", { ms: 2 });
    await first.pulse.app.measurements.flush();
    const adminClient = first.client(admin.token);

    const slow = await adminClient.analytics.requests.query({ minDurationMs: 130, path: "TRAFFIC.SLEEP" });
    expect(slow.items.length).toBeGreaterThan(0);
    expect(slow.items.every((r) => r.durationMs >= 130 && r.path.includes("traffic.sleep"))).toBe(true);
    const failed = await adminClient.analytics.requests.query({ statusClass: "5xx" });
    expect(failed.items.length).toBeGreaterThan(0);
    expect(failed.items.every((r) => r.status >= 500 && r.status <= 599)).toBe(true);
    const overWs = await adminClient.analytics.requests.query({ transport: "ws", userId: alice.user.id });
    expect(overWs.items.map((r) => [r.transport, r.method, r.path])).toContainEqual(["ws", "WS", "traffic.sleep"]);

    // Pages: newest first by id, no overlap, to the end.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: RequestsResult = await adminClient.analytics.requests.query({ limit: 7, cursor, userId: alice.user.id });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map(BigInt)).toEqual([...seen.map(BigInt)].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(new Set(seen).size).toBe(seen.length);
    const [aliceCount] = await sql<{ n: number }>(first.database.url, `SELECT count(*)::int AS n FROM "RequestLog" WHERE "userId" = $1`, [alice.user.id]);
    expect(seen).toHaveLength(aliceCount!.n);

    // Alice: her own only, with or without naming herself; Bob's id is refused.
    const hers = await first.client(alice.token).analytics.requests.query({ limit: 200 });
    expect(hers.items.length).toBeGreaterThan(0);
    expect(hers.items.every((r) => r.userId === alice.user.id)).toBe(true);
    expect(await codeOf(first.client(alice.token).analytics.requests.query({ userId: bob.user.id }))).toBe("FORBIDDEN");
    const viaSocket = await socket.call<RequestsResult>("query", "analytics.requests", { limit: 200 });
    expect(viaSocket.items.length).toBeGreaterThan(0);
    expect(viaSocket.items.every((r) => r.userId === alice.user.id)).toBe(true);
    const refused = await socket.call("query", "analytics.requests", { userId: bob.user.id }).catch((error: unknown) => error);
    expect((refused as RawSocketError).shape.data.code).toBe("FORBIDDEN");
  });
});

describe("who may call what", () => {
  it("admin-only procedures refuse users (FORBIDDEN) and the signed-out (UNAUTHORIZED)", async () => {
    const user = first.client(alice.token);
    expect(await codeOf(user.analytics.performance.query({ windowS: 900 }))).toBe("FORBIDDEN");
    expect(await codeOf(user.analytics.system.query({ windowS: 900 }))).toBe("FORBIDDEN");
    const anonymous = first.client();
    for (const call of [anonymous.analytics.summary.query(), anonymous.analytics.requests.query({}), anonymous.analytics.errors.query({}), anonymous.analytics.performance.query({ windowS: 900 })]) {
      expect(await codeOf(call)).toBe("UNAUTHORIZED");
    }
  });

  it("analytics.live: FORBIDDEN for a user over WebSocket and SSE; an admin gets a snapshot each second", async () => {
    const socket = await RawSocket.open(first.url, { token: alice.token });
    sockets.push(socket);
    const refused = await socket.take("analytics.live", 1).catch((error: unknown) => error);
    expect((refused as RawSocketError).shape.data.code).toBe("FORBIDDEN");
    const sse = await fetch(`${first.url}/api/trpc/analytics.live`, { headers: { Accept: "text/event-stream", Authorization: `Bearer ${alice.token}` } });
    const body = await sse.text();
    expect(body).toContain("FORBIDDEN");
    expect(body).not.toMatch(/requestsPerS/);

    await run(Array.from({ length: 5 }, () => sleepCall(first, 3)));
    const adminSocket = await RawSocket.open(first.url, { token: admin.token });
    sockets.push(adminSocket);
    const snapshots = await adminSocket.take<{ at: Date; instances: number; requestsPerS: number; p95: number; rssBytes: number; alerts: unknown[] }>("analytics.live", 2);
    expect(snapshots[1]!.at.getTime()).toBeGreaterThan(snapshots[0]!.at.getTime());
    for (const snapshot of snapshots) {
      expect(snapshot.instances).toBe(2); // both instances tick on the bus
      expect(snapshot.rssBytes).toBeGreaterThan(0);
      expect(Array.isArray(snapshot.alerts)).toBe(true);
    }
    expect(snapshots.some((s) => s.requestsPerS > 0 && s.p95 > 0)).toBe(true);
  });
});

describe("bad filters", () => {
  it.each([
    ["performance", { windowS: 10 }, /windowS/],
    ["performance", { windowS: 10 ** 9 }, /windowS/],
    ["performance", { windowS: 900, colour: "red" }, /colour|Unrecognized/i],
    ["requests", { statusClass: "6xx" }, /statusClass/],
    ["requests", { minDurationMs: -1 }, /minDurationMs/],
    ["requests", { cursor: "abc" }, /cursor/],
    ["requests", { cursor: "-5" }, /cursor/],
    ["requests", { status: 200, statusClass: "2xx" }, /status or statusClass/],
    ["requests", { userId: "not-a-uuid" }, /userId/],
    ["errors", { kind: "fatal" }, /kind/],
    ["system", { windowS: 0 }, /windowS/],
  ])("analytics.%s(%j) → BAD_REQUEST", async (procedure, input, message) => {
    const response = await query(first.url, `analytics.${procedure}`, input, { token: admin.token });
    expect(response.status).toBe(400);
    expect(response.error?.data.code).toBe("BAD_REQUEST");
    expect(response.error?.message).toMatch(message);
  });
});

describe("analytics.system", () => {
  it("lists every instance that ticked, the queue, and its history", async () => {
    await eventually(async () => (await first.client(admin.token).analytics.system.query({ windowS: 900 })).instances.length === 2, "both instances listed");
    const result = await first.client(admin.token).analytics.system.query({ windowS: 900 });
    expect(result.instances.map((i) => i.instance).sort()).toEqual([first.pulse.app.instanceId, second.pulse.app.instanceId].sort());
    for (const instance of result.instances) expect(instance.heapUsedBytes).toBeGreaterThan(0);
    expect(result.queue).toEqual({ queued: expect.any(Number), running: expect.any(Number), oldestQueuedS: null });
    expect(result.disk).toMatchObject({ dir: first.pulse.app.config.files.dir, usedBytes: expect.any(Number), files: expect.any(Number) });
  });
});

describe("analytics.summary", () => {
  it("a user sees their own usage; an admin the platform's, with accounts", async () => {
    const carol = await signUp(first, "Carol");
    const dave = await signUp(first, "Dave");
    const make = async (token: string, files: number, questions: number) => {
      const client = first.client(token);
      for (let i = 0; i < files; i++) await client.files.create.mutate({ kind: "csv", rows: [["n"], [String(i)]] });
      const conversation = await client.chat.createConversation.mutate({});
      for (let i = 0; i < questions; i++) {
        const { assistantMessageId } = await client.chat.send.mutate({ conversationId: conversation.id, content: `Question ${i}` });
        await eventually(async () => (await client.chat.conversation.query({ conversationId: conversation.id })).messages.find((m) => m.id === assistantMessageId)?.status === "complete", "the answer");
      }
      await client.sessions.create.mutate({ kind: "meditation", title: `Sit of ${token.slice(0, 4)}` });
    };
    await make(carol.token, 2, 1);
    await make(dave.token, 1, 2);

    const figure = (result: SummaryResult, feature: string, key: string) => result.sections.find((s) => s.feature === feature)?.figures.find((f) => f.key === key);
    const carols = await first.client(carol.token).analytics.summary.query();
    expect(carols.scope).toBe("mine");
    expect(carols.users).toBeNull();
    expect(carols.sections.map((s) => s.feature)).toEqual(["users", "sessions", "files", "chat", "jobs"]);
    expect(figure(carols, "files", "files")).toMatchObject({ value: 2, breakdown: expect.arrayContaining([{ key: "csv", label: expect.any(String), value: 2 }]) });
    expect(figure(carols, "jobs", "jobs")?.value).toBe(2);
    expect(figure(carols, "chat", "messages")?.value).toBe(2); // one question, one answer
    expect(figure(carols, "chat", "outputTokens")?.value).toBeGreaterThan(0);
    expect(figure(carols, "sessions", "hosted")?.value).toBe(1);
    expect(carols.requests.total24h).toBeGreaterThan(0);
    const [carolLogged] = await sql<{ n: number }>(first.database.url, `SELECT count(*)::int AS n FROM "RequestLog" WHERE "userId" = $1`, [carol.user.id]);
    expect(carols.requests.total24h).toBe(carolLogged!.n);

    const daves = await first.client(dave.token).analytics.summary.query();
    expect(figure(daves, "files", "files")?.value).toBe(1);
    expect(figure(daves, "chat", "messages")?.value).toBe(4);

    const platform = await first.client(admin.token).analytics.summary.query();
    expect(platform.scope).toBe("platform");
    const [counts] = await sql<{ users: number; files: number; jobs: number; messages: number }>(
      first.database.url,
      `SELECT (SELECT count(*)::int FROM "User") AS users, (SELECT count(*)::int FROM "File" WHERE status <> 'failed') AS files,
              (SELECT count(*)::int FROM "Job") AS jobs, (SELECT count(*)::int FROM "ChatMessage") AS messages`,
    );
    expect(platform.users).toEqual({ total: counts!.users, active24h: counts!.users });
    expect(figure(platform, "files", "files")?.value).toBe(counts!.files);
    expect(figure(platform, "jobs", "jobs")?.value).toBe(counts!.jobs);
    expect(figure(platform, "chat", "messages")?.value).toBe(counts!.messages);
    expect(figure(platform, "files", "files")!.value).toBeGreaterThanOrEqual(3);
    expect(platform.requests.total24h).toBeGreaterThan(carols.requests.total24h);
    expect(platform.requests.errors24h).toBeGreaterThanOrEqual(4); // the INTERNAL failures above
  });
});
