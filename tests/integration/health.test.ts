import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthScore, type CheckStatus } from "@/server/features/health/service";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually, RawSocket, sql } from "./support/raw";

const VERSION = "9.8.7-test";
const STATUSES = ["ok", "degraded", "unhealthy"];

interface Snapshot {
  status: CheckStatus;
  score: number;
  checks: Record<string, { status: CheckStatus; detail: string; value?: number }>;
  uptimeS: number;
  version: string;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ version: VERSION });
});
afterAll(() => server?.stop());

async function getHealth(): Promise<{ status: number; body: Snapshot; headers: Headers }> {
  const response = await fetch(`${server.url}/health`);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Snapshot };
}

async function metricsText(): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

/** The value of one sample line in Prometheus text, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /health", () => {
  it("reports status, score, checks, uptime and version", async () => {
    const { status, body, headers } = await getHealth();
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^application\/json/);
    expect(headers.get("cache-control")).toBe("no-store");
    expect(body).toMatchObject({ status: expect.any(String), score: expect.any(Number), uptimeS: expect.any(Number), version: VERSION });
    expect(STATUSES).toContain(body.status);
    expect(body.score).toBeGreaterThanOrEqual(0);
    expect(body.score).toBeLessThanOrEqual(100);
    expect(Number.isInteger(body.uptimeS) && body.uptimeS >= 0).toBe(true);
    for (const name of ["database", "migrations", "eventLoop", "heap", "websockets"]) {
      const check = body.checks[name];
      expect(check, name).toBeDefined();
      expect(STATUSES, name).toContain(check!.status);
      expect(check!.detail, name).toEqual(expect.any(String));
    }
    expect(body.checks.database!.detail).toMatch(/round-trip [\d.]+ ms/);
    expect(body.checks.migrations).toMatchObject({ status: "ok", value: 0 });
  });

  it("its score and status follow the published rules from its own checks", async () => {
    const { body } = await getHealth();
    const statuses = ["database", "migrations", "eventLoop", "heap", "websockets"].map((name) => body.checks[name]!.status);
    const errorRate = (body.checks.errorRate?.value ?? 0) / 100;
    expect({ score: body.score, status: body.status }).toEqual(healthScore(errorRate, statuses));
  });

  it("health.check answers the same snapshot through tRPC", async () => {
    const snapshot = await server.client().health.check.query();
    expect(snapshot.version).toBe(VERSION);
    expect(Object.keys(snapshot.checks)).toEqual(expect.arrayContaining(["database", "migrations", "eventLoop", "heap", "websockets"]));
    expect(snapshot.at).toBeInstanceOf(Date);
  });

  it("counts open WebSocket connections", async () => {
    const base = (await getHealth()).body.checks.websockets!.value!;
    const sockets = await Promise.all([RawSocket.open(server.url), RawSocket.open(server.url), RawSocket.open(server.url)]);
    try {
      await eventually(async () => (await getHealth()).body.checks.websockets!.value === base + 3, "three more open sockets");
    } finally {
      for (const socket of sockets) socket.close();
    }
    await eventually(async () => (await getHealth()).body.checks.websockets!.value === base, "the sockets to be counted as closed");
  });
});

describe("health.ping", () => {
  it("returns the server's clock in epoch milliseconds", async () => {
    const before = Date.now();
    const { time } = await server.client().health.ping.query();
    const after = Date.now();
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(after);
  });
});

describe("liveness and readiness", () => {
  it("GET /health/live is 200 while the process is up", async () => {
    const response = await fetch(`${server.url}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });

  it("GET /health/ready is 200 when the database is reachable and migrated, 503 when a migration is missing", async () => {
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });

    const [applied] = await sql<{ id: string; migration_name: string }>(
      server.database.url,
      `SELECT id, migration_name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1`,
    );
    await sql(server.database.url, `UPDATE "_prisma_migrations" SET finished_at = NULL WHERE id = $1`, [applied!.id]);
    try {
      const notReady = await fetch(`${server.url}/health/ready`);
      expect(notReady.status).toBe(503);
      const body = (await notReady.json()) as { ready: boolean; detail: string };
      expect(body.ready).toBe(false);
      expect(body.detail).toContain(applied!.migration_name);

      // /health marks the migrations check unhealthy, which costs 20 points.
      await eventually(async () => (await getHealth()).body.checks.migrations!.status === "unhealthy", "/health to see the missing migration");
      const { status, body: health } = await getHealth();
      expect(health.score).toBeLessThanOrEqual(80);
      expect(health.status).not.toBe("ok");
      expect(status).toBe(health.status === "unhealthy" ? 503 : 200);
    } finally {
      await sql(server.database.url, `UPDATE "_prisma_migrations" SET finished_at = now() WHERE id = $1`, [applied!.id]);
    }
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
  });
});

describe("GET /metrics", () => {
  it("is Prometheus text with Pulse's metrics", async () => {
    await server.client().health.ping.query();
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const [name, type] of [
      ["pulse_http_requests_total", "counter"],
      ["pulse_http_request_duration_seconds", "histogram"],
      ["pulse_trpc_calls_total", "counter"],
      ["pulse_websocket_connections", "gauge"],
      ["pulse_process_resident_memory_bytes", "gauge"],
      ["pulse_nodejs_eventloop_lag_seconds", "gauge"],
    ]) {
      expect(text, name).toContain(`# TYPE ${name} ${type}`);
      expect(text, name).toContain(`# HELP ${name} `);
    }
    expect(sample(text, 'pulse_trpc_calls_total{path="health.ping",type="query",code="OK"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^pulse_http_request_duration_seconds_bucket\{le="0\.005",route="trpc"\} \d+$/m);
    expect(text).toMatch(/^pulse_http_requests_total\{route="health",method="GET",status="200"\} \d+$/m);
  });

  it("counts each call by procedure and result code", async () => {
    const series = (code: string) => `pulse_trpc_calls_total{path="auth.sessions",type="query",code="${code}"}`;
    const before = await metricsText();
    const account = await signUp(server);
    await server.client(account.token).auth.sessions.query();
    await server.client().auth.sessions.query().catch(() => undefined);
    await server.client().auth.sessions.query().catch(() => undefined);
    const after = await metricsText();
    expect((sample(after, series("OK")) ?? 0) - (sample(before, series("OK")) ?? 0)).toBe(1);
    expect((sample(after, series("UNAUTHORIZED")) ?? 0) - (sample(before, series("UNAUTHORIZED")) ?? 0)).toBe(2);
  });

  it("labels by route group, so made-up paths add no series", async () => {
    await fetch(`${server.url}/api/trpc/made.up.path${Date.now()}`);
    await fetch(`${server.url}/some/page/${Date.now()}`);
    const text = await metricsText();
    expect(text).not.toContain("made.up.path");
    expect(text).not.toContain("/some/page");
    expect(text).toMatch(/^pulse_http_requests_total\{route="trpc",method="GET",status="404"\} \d+$/m);
  });

  it("gauges open WebSocket connections", async () => {
    const gauge = async () => sample(await metricsText(), "pulse_websocket_connections")!;
    const base = await gauge();
    const sockets = await Promise.all([RawSocket.open(server.url), RawSocket.open(server.url)]);
    await eventually(async () => (await gauge()) === base + 2, "the gauge to count two sockets");
    for (const socket of sockets) socket.close();
    await eventually(async () => (await gauge()) === base, "the gauge to drop back");
  });
});
