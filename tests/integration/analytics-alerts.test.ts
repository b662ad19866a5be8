/**
 * Alerts and health: a rule crossed (p95 over a tiny line) raises an Alert row, a warning line
 * and an alert in the live snapshot, and clears once traffic has stopped (after the hysteresis);
 * stopping an instance clears its alerts, and the sweep clears a dead instance's. Health: the
 * job queue's backlog check, and Anthropic's reachability when a key is configured.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "@/server/config";
import { startFakeAnthropic, type FakeAnthropic } from "@/server/features/chat/fake-anthropic";
import { createLogger } from "@/server/log";
import { startPulse, type RunningPulse } from "@/server/start";
import { createPulseClient } from "@/trpc/client";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { withTraffic } from "./support/analytics";
import { eventually, query, RawSocket, sql } from "./support/raw";

interface LogLine {
  level: number;
  msg: string;
  alert?: string;
}

/** A server (API only) whose log lines the test reads. */
async function startLogged(database: TestDatabase, overrides: Partial<Config>) {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", DATABASE_URL: database.url, LOG_LEVEL: "info" }, { shutdownGraceMs: 2_000, ...overrides });
  const pulse = await startPulse(config, createLogger("info", sink), { features: withTraffic() });
  return { pulse, lines };
}

const ALERTS = { errorRate: 0.5, p95Ms: 5, heapMb: 1_000_000, eventLoopMs: 1_000_000, clearAfterS: 1, windowS: 3 };

async function slowCalls(url: string, count: number, ms: number) {
  await Promise.all(Array.from({ length: 5 }, async (_, lane) => {
    for (let i = lane; i < count; i += 5) await query(url, "traffic.sleep", { ms });
  }));
}

type AlertRow = { id: string; instance: string; rule: string; value: number; threshold: number; raisedAt: Date; clearedAt: Date | null };
const alertRows = (database: TestDatabase, rule: string) =>
  sql<AlertRow>(database.url, `SELECT id::text AS id, instance, rule, value, threshold, "raisedAt", "clearedAt" FROM "Alert" WHERE rule = $1 ORDER BY id`, [rule]);

describe("alerts", () => {
  let database: TestDatabase;
  let server: { pulse: RunningPulse; lines: LogLine[] } | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.pulse.stop();
    await database?.drop();
  });

  it("p95 over its line: an Alert row, a warning, the live snapshot; cleared after traffic stops and the hysteresis passes", async () => {
    server = await startLogged(database, { alerts: ALERTS });
    const { pulse, lines } = server;
    const anonymous = createPulseClient({ url: pulse.url });
    const adminToken = (await anonymous.auth.signUp.mutate({ email: "admin@example.com", password: "correct horse battery", name: "Admin" })).token;
    anonymous.close();

    await slowCalls(pulse.url, 25, 20);
    const slowEnded = Date.now();
    await eventually(async () => (await alertRows(database, "p95")).length === 1, "a p95 alert row");
    const [raised] = await alertRows(database, "p95");
    expect(raised).toMatchObject({ instance: pulse.app.instanceId, threshold: 5, clearedAt: null });
    expect(raised!.value).toBeGreaterThanOrEqual(20);
    await eventually(() => lines.some((l) => l.level === 40 && l.alert === "p95" && l.msg.startsWith("alert raised")), "the warning line");

    const socket = await RawSocket.open(pulse.url, { token: adminToken });
    try {
      const [snapshot] = await socket.take<{ alerts: { id: string; rule: string; instance: string }[] }>("analytics.live", 1);
      expect(snapshot!.alerts).toContainEqual(expect.objectContaining({ id: raised!.id, rule: "p95", instance: pulse.app.instanceId }));
    } finally {
      socket.close();
    }

    // Traffic has stopped: once the window holds fewer than 20 calls, and then one more second, it clears.
    await eventually(async () => (await alertRows(database, "p95"))[0]!.clearedAt !== null, "the alert to clear", 20_000);
    const [cleared] = await alertRows(database, "p95");
    expect(cleared!.clearedAt!.getTime() - slowEnded).toBeGreaterThanOrEqual(ALERTS.clearAfterS * 1000);
    expect(lines.some((l) => l.level === 30 && l.alert === "p95" && l.msg.startsWith("alert cleared"))).toBe(true);
    expect(await alertRows(database, "p95")).toHaveLength(1); // raised once, not once a second
  });

  it("the sweep clears a silent instance's open alert, not a live one's; stopping clears the instance's own", async () => {
    const { pulse, lines } = server!;
    const old = new Date(Date.now() - 5 * 60_000);
    await sql(database.url, `INSERT INTO "Alert" (instance, rule, value, threshold, message, "raisedAt") VALUES ('ghost-1', 'heap', 300, 200, 'ghost', $1), ($2, 'eventLoop', 300, 200, 'mine', $1)`, [old, pulse.app.instanceId]);
    pulse.services.analytics.settings.staleAfterMs = 1_000;
    expect(await pulse.services.analytics.sweepStaleAlerts()).toBe(1);
    expect((await alertRows(database, "heap"))[0]!.clearedAt).not.toBeNull();
    expect((await alertRows(database, "eventLoop"))[0]!.clearedAt).toBeNull();
    await sql(database.url, `DELETE FROM "Alert" WHERE rule = 'eventLoop'`);

    await slowCalls(pulse.url, 25, 20);
    await eventually(async () => (await alertRows(database, "p95")).some((a) => a.clearedAt === null), "a second p95 alert");
    await pulse.stop();
    server = undefined;
    expect((await alertRows(database, "p95")).every((a) => a.clearedAt !== null)).toBe(true);
    expect(lines.filter((l) => l.msg.startsWith("alert cleared") && l.alert === "p95")).toHaveLength(2);
  });
});

describe("health checks", () => {
  let plain: TestServer;
  let anthropic: FakeAnthropic;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    plain = await startTestServer({ jobs: { ...loadConfig({ NODE_ENV: "test" }).jobs, concurrency: 0 } });
    anthropic = await startFakeAnthropic({ apiKey: "sk-test-key" });
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await plain?.stop();
    await anthropic?.close();
  });

  const health = async (server: TestServer) => (await fetch(`${server.url}/health`)).json() as Promise<{ checks: Record<string, { status: string; detail: string; value?: number }> }>;

  it("jobs.queue: ok with no job waiting, degraded past a minute's wait, unhealthy past five", async () => {
    expect((await health(plain)).checks["jobs.queue"]).toEqual({ status: "ok", detail: "no job waiting", value: 0 });
    const owner = await signUp(plain, "Owner");
    await plain.client(owner.token).files.create.mutate({ kind: "csv", rows: [["a"]] }); // no worker here: it waits
    await sql(plain.database.url, `UPDATE "Job" SET "createdAt" = now() - interval '90 seconds'`);
    await eventually(async () => (await health(plain)).checks["jobs.queue"]?.status === "degraded", "degraded");
    expect((await health(plain)).checks["jobs.queue"]!.detail).toMatch(/^1 job\(s\) waiting to run, the oldest for 9\d s$/);
    await sql(plain.database.url, `UPDATE "Job" SET "createdAt" = now() - interval '301 seconds'`);
    await eventually(async () => (await health(plain)).checks["jobs.queue"]?.status === "unhealthy", "unhealthy");
  });

  it("no chat.anthropic check without a key", async () => {
    expect((await health(plain)).checks["chat.anthropic"]).toBeUndefined();
  });

  it("chat.anthropic: ok when the API answers with the key, degraded when it cannot be reached", async () => {
    const chat = (baseUrl: string) => ({ chat: { ...loadConfig({ NODE_ENV: "test", ANTHROPIC_API_KEY: "sk-test-key", ANTHROPIC_BASE_URL: baseUrl }).chat } });
    const reachable = await startTestServer(chat(anthropic.url));
    closers.push(() => reachable.stop());
    const check = (await health(reachable)).checks["chat.anthropic"]!;
    expect(check.status).toBe("ok");
    expect(check.detail).toMatch(/^reachable/);
    expect(anthropic.requests.filter((r) => r.path === "/v1/models")).toContainEqual(expect.objectContaining({ method: "GET", status: 200, auth: "x-api-key" }));

    // A port nobody listens on: the first server's, once stopped.
    const gone = await startFakeAnthropic();
    const goneUrl = gone.url;
    await gone.close();
    const unreachable = await startTestServer(chat(goneUrl), reachable.database);
    closers.unshift(() => unreachable.stop());
    const down = await health(unreachable);
    expect(down.checks["chat.anthropic"]).toMatchObject({ status: "degraded", detail: expect.stringMatching(/unreachable/) });
  });

  it("the Anthropic stand-in lists models as the API does, and refuses a request without a key", async () => {
    const refused = await fetch(`${anthropic.url}/v1/models`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    const wrong = await fetch(`${anthropic.url}/v1/models`, { headers: { "x-api-key": "sk-wrong" } });
    expect(wrong.status).toBe(401);

    const one = await (await fetch(`${anthropic.url}/v1/models?limit=1`, { headers: { "x-api-key": "sk-test-key", "anthropic-version": "2023-06-01" } })).json();
    expect(one).toMatchObject({ has_more: true, data: [{ type: "model", id: expect.any(String), display_name: expect.any(String), created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }] });
    expect(one.first_id).toBe(one.data[0].id);
    expect(one.last_id).toBe(one.data[0].id);
    const rest = await (await fetch(`${anthropic.url}/v1/models?after_id=${one.last_id}`, { headers: { authorization: "Bearer sk-test-key" } })).json();
    expect(rest.has_more).toBe(false);
    expect(rest.data.map((m: { id: string }) => m.id)).not.toContain(one.last_id);
    expect((await fetch(`${anthropic.url}/v1/models?limit=0`, { headers: { "x-api-key": "sk-test-key" } })).status).toBe(400);
  });
});
