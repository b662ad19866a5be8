/**
 * The core's measurement, end to end: scripted traffic with known latencies and failures goes
 * through the real server (HTTP and WebSocket), is flushed to PostgreSQL, and what is stored —
 * MetricMinute histograms, RequestLog rows, ErrorGroups, SystemMinute — says what was sent.
 * Request ids travel from the proxy's header (or are made) into error shapes and the log;
 * /metrics is read with a real exposition-format parser; a minute written while the database
 * is away arrives once it is back; completed hours roll up and old rows go.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { TRPCError } from "@trpc/server";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { App } from "@/server/app";
import { DatabaseAvailability } from "@/server/db/availability";
import { defineFeature } from "@/server/feature";
import { features } from "@/server/features/index";
import { createLogger } from "@/server/log";
import { ConnectionCount } from "@/server/metrics/connections";
import { decodeHistogram, Measurements, mergeHistograms, percentilesMs, type CallRecord } from "@/server/metrics/measurements";
import { publicProcedure, router } from "@/server/trpc/trpc";
import { text } from "@/shared/input";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { startTcpProxy } from "./support/proxy";
import { eventually, query, RawSocket, RawSocketError, sql } from "./support/raw";

/** A feature of this test's own: a procedure that takes as long as it is told, and fails as it is told. */
const probe = defineFeature({
  name: "probe",
  createService: (app: App) => ({ instance: app.instanceId }),
  router: () =>
    router({
      sleep: publicProcedure
        .input(z.object({ ms: z.number().int().min(0).max(5_000), fail: z.enum(["INTERNAL", "BAD_REQUEST"]).optional(), ref: text().max(100).optional() }).strict())
        .query(async ({ input }) => {
          if (input.ms > 0) await sleep(input.ms);
          if (input.fail === "INTERNAL") throw new Error(`job ${input.ref} failed after ${input.ms} ms`);
          if (input.fail === "BAD_REQUEST") throw new TRPCError({ code: "BAD_REQUEST", message: `no such thing as ${input.ref}` });
          return { slept: input.ms };
        }),
    }),
});

const METRICS_TOKEN = "metrics-token-for-the-test-0123";
let server: TestServer;
let instance: string;

beforeAll(async () => {
  server = await startTestServer(
    { analytics: { measure: true, flushMs: 200, logPerS: 10_000 }, metricsToken: METRICS_TOKEN },
    undefined,
    { features: [...features, probe] },
  );
  instance = server.pulse.app.instanceId;
});
afterAll(() => server?.stop());

const flush = () => server.pulse.app.measurements.flush();

interface MinuteRow {
  count: number;
  errors: number;
  clientErrors: number;
  sumMs: number;
  maxMs: number;
  histogram: Buffer;
}

/** This instance's stored minutes of a route, summed (calls may straddle a minute). */
async function stored(route: string) {
  const rows = await sql<MinuteRow>(server.database.url, `SELECT count, errors, "clientErrors", "sumMs", "maxMs", histogram FROM "MetricMinute" WHERE instance = $1 AND route = $2`, [instance, route]);
  const histogram = mergeHistograms(rows.map((row) => decodeHistogram(row.histogram)));
  return {
    count: rows.reduce((sum, row) => sum + row.count, 0),
    errors: rows.reduce((sum, row) => sum + row.errors, 0),
    clientErrors: rows.reduce((sum, row) => sum + row.clientErrors, 0),
    maxMs: Math.max(0, ...rows.map((row) => row.maxMs)),
    histogram,
  };
}

/** The value at a percentile as HdrHistogram defines it: the smallest value with at least p % of the values at or below it. */
function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe("scripted traffic", () => {
  const serverRefs = [randomUUID(), randomUUID(), randomUUID()];
  let lastServerErrorId = "";

  beforeAll(async () => {
    // Known latencies: 10 calls of 5 ms, 10 of 40 ms; 3 server failures whose messages differ
    // only by an id; 2 refusals; one batch of two calls. One at a time: each call's time is its own.
    for (let i = 0; i < 10; i++) expect((await query(server.url, "probe.sleep", { ms: 5 })).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await query(server.url, "probe.sleep", { ms: 40 })).status).toBe(200);
    for (const ref of serverRefs) {
      const response = await query(server.url, "probe.sleep", { ms: 0, fail: "INTERNAL", ref });
      expect(response.status).toBe(500);
      lastServerErrorId = response.headers.get("x-request-id")!;
    }
    for (const ref of [randomUUID(), randomUUID()]) expect((await query(server.url, "probe.sleep", { ms: 0, fail: "BAD_REQUEST", ref })).status).toBe(400);
    const batchInput = encodeURIComponent(JSON.stringify({ 0: { json: { ms: 1 } }, 1: { json: { ms: 1 } } }));
    expect((await fetch(`${server.url}/api/trpc/probe.sleep,probe.sleep?batch=1&input=${batchInput}`)).status).toBe(200);
    await flush();
  });

  it("stores exact counts per route, and percentiles that match each call's own duration within the histogram's precision", async () => {
    const route = await stored("trpc:probe.sleep");
    // Each call of the batch counts, not the request.
    expect(route).toMatchObject({ count: 27, errors: 3, clientErrors: 2 });
    expect(route.histogram.totalCount).toBe(27);

    // The request log holds every call's duration as the server measured it (under the sampling rate).
    const logged = await sql<{ durationMs: number }>(server.database.url, `SELECT "durationMs" FROM "RequestLog" WHERE instance = $1 AND route = 'trpc:probe.sleep'`, [instance]);
    expect(logged).toHaveLength(27);
    const durations = logged.map((row) => row.durationMs).sort((a, b) => a - b);
    const percentiles = percentilesMs(route.histogram);
    for (const p of [50, 90, 95, 99] as const) {
      const exact = exactPercentile(durations, p);
      // Two significant digits: a value is within 1 % (plus the microsecond it is rounded to).
      expect(Math.abs(percentiles[`p${p}`] - exact), `p${p}: ${percentiles[`p${p}`]} vs ${exact}`).toBeLessThanOrEqual(exact * 0.01 + 0.002);
    }
    expect(route.maxMs).toBeCloseTo(durations.at(-1)!, 6);

    // What was sent is a lower bound (timers fire late, not early; a millisecond of rounding allowed).
    expect(percentiles.p50).toBeGreaterThanOrEqual(4);
    expect(percentiles.p90).toBeGreaterThanOrEqual(39);

    // Every call is also in `*`.
    expect((await stored("*")).count).toBeGreaterThanOrEqual(27);
  });

  it("groups the same failure with different ids in its message into one error, and keeps the last request id", async () => {
    const groups = await sql<{ kind: string; code: string; count: number; message: string; sampleStack: string | null; lastRequestId: string }>(
      server.database.url,
      `SELECT kind, code, count, message, "sampleStack", "lastRequestId" FROM "ErrorGroup" WHERE route = 'trpc:probe.sleep' ORDER BY kind`,
    );
    expect(groups).toHaveLength(2);
    const [client, failure] = groups;
    expect(failure).toMatchObject({ kind: "server", code: "INTERNAL_SERVER_ERROR", count: 3, lastRequestId: lastServerErrorId });
    expect(failure!.message).toBe(`job ${serverRefs[2]} failed after 0 ms`);
    expect(failure!.sampleStack).toContain("measurement.test");
    expect(client).toMatchObject({ kind: "client", code: "BAD_REQUEST", count: 2, sampleStack: null });
  });

  it("reads the last seconds of this instance from memory: counts, a histogram, the error rate", () => {
    const { measurements } = server.pulse.app;
    const recent = measurements.recent(60);
    expect(recent.count).toBeGreaterThanOrEqual(27);
    expect(recent.errors).toBeGreaterThanOrEqual(3);
    expect(recent.clientErrors).toBeGreaterThanOrEqual(2);
    expect(recent.histogram?.totalCount).toBe(recent.count);
    expect(measurements.recent(300).histogram).toBeNull();
    const rate = measurements.errorRate();
    expect(rate.errors).toBeGreaterThanOrEqual(3);
    expect(rate.rate).toBeCloseTo(rate.errors / rate.total, 9);
  });
});

describe("request ids", () => {
  it("takes a proxy's X-Request-Id, returns it, puts it in an error's data and in the request log", async () => {
    const id = "edge-7f3a.42:retry_1";
    const response = await query(server.url, "probe.sleep", { ms: 0, fail: "BAD_REQUEST", ref: "x" }, { headers: { "X-Request-Id": id } });
    expect(response.headers.get("x-request-id")).toBe(id);
    expect((response.error!.data as { requestId?: string }).requestId).toBe(id);
    await flush();
    const rows = await sql(server.database.url, `SELECT transport, method, path, status, code FROM "RequestLog" WHERE "requestId" = $1`, [id]);
    expect(rows).toEqual([{ transport: "http", method: "GET", path: "probe.sleep", status: 400, code: "BAD_REQUEST" }]);
  });

  it("makes its own id when the proxy's does not look like one", async () => {
    for (const bad of ["has spaces", "x".repeat(101), "semi;colon"]) {
      const response = await fetch(`${server.url}/health/live`, { headers: { "X-Request-Id": bad } });
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it("gives each call over WebSocket its own id, in its error's data and in the log (transport ws), with the signed-in user", async () => {
    const { token, user } = await signUp(server, "Socket User");
    const socket = await RawSocket.open(server.url, { token });
    try {
      await socket.call("query", "probe.sleep", { ms: 0 });
      const failed = await socket.call("query", "probe.sleep", { ms: 0, fail: "BAD_REQUEST", ref: "ws" }).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(RawSocketError);
      const requestId = ((failed as RawSocketError).shape.data as { requestId?: string }).requestId!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}:\d+$/);
      await flush();
      const rows = await sql(server.database.url, `SELECT transport, method, route, status, code, "userId" FROM "RequestLog" WHERE "requestId" = $1`, [requestId]);
      expect(rows).toEqual([{ transport: "ws", method: "WS", route: "trpc:probe.sleep", status: 400, code: "BAD_REQUEST", userId: user.id }]);
      // The socket's calls have ids of their own: same socket, different numbers.
      const socketIds = await sql<{ requestId: string }>(server.database.url, `SELECT "requestId" FROM "RequestLog" WHERE "requestId" LIKE $1`, [`${requestId.split(":")[0]}:%`]);
      expect(new Set(socketIds.map((row) => row.requestId)).size).toBe(socketIds.length);
      expect(socketIds.length).toBeGreaterThanOrEqual(2);
    } finally {
      socket.close();
    }
  });

  it("logs a signed-in HTTP call with its user", async () => {
    const { token, user } = await signUp(server, "Http User");
    const id = `me-${Date.now()}`;
    expect((await query(server.url, "auth.me", undefined, { token, headers: { "X-Request-Id": id } })).status).toBe(200);
    await flush();
    expect(await sql(server.database.url, `SELECT route, "userId" FROM "RequestLog" WHERE "requestId" = $1`, [id])).toEqual([{ route: "trpc:auth.me", userId: user.id }]);
  });

  it("counts a call that failed before any procedure ran once, under trpc:(unknown), with its id in the error", async () => {
    const id = `unknown-${Date.now()}`;
    const response = await query(server.url, "nope.nothing", undefined, { headers: { "X-Request-Id": id } });
    expect(response.status).toBe(404);
    expect((response.error!.data as { requestId?: string }).requestId).toBe(id);
    const unparsable = `unparsable-${Date.now()}`;
    const broken = await fetch(`${server.url}/api/trpc/%E0%A4%A`, { headers: { "X-Request-Id": unparsable } });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.json.data.requestId).toBe(unparsable);
    await flush();
    const rows = await sql(server.database.url, `SELECT "requestId", route, status, code FROM "RequestLog" WHERE "requestId" IN ($1, $2) ORDER BY status`, [id, unparsable]);
    expect(rows).toEqual([
      { requestId: unparsable, route: "trpc:(unknown)", status: 400, code: "BAD_REQUEST" },
      { requestId: id, route: "trpc:(unknown)", status: 404, code: "NOT_FOUND" },
    ]);
  });
});

describe("HTTP routes outside tRPC", () => {
  it("are counted under their template: the core's fixed paths, a feature's route, a page not found", async () => {
    await fetch(`${server.url}/health`);
    await fetch(`${server.url}/health/live`);
    await fetch(`${server.url}/api/files/${randomUUID()}/download`);
    await fetch(`${server.url}/no/such/page/${randomUUID()}`);
    await flush();
    const rows = await sql<{ route: string; count: number }>(server.database.url, `SELECT route, sum(count)::int AS count FROM "MetricMinute" WHERE instance = $1 GROUP BY route`, [instance]);
    const routes = new Map(rows.map((row) => [row.route, row.count]));
    for (const route of ["GET /health", "GET /health/live", "GET /api/files/:id/download", "GET page:(not found)"]) expect(routes.get(route), route).toBeGreaterThanOrEqual(1);
    // No route was made of an id.
    for (const route of routes.keys()) expect(route).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
  });
});

describe("/metrics", () => {
  it("needs the METRICS_TOKEN when one is set", async () => {
    const without = await fetch(`${server.url}/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}x` } })).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
  });

  it("is valid exposition format with procedure durations, WebSocket messages and connections, jobs and chat tokens", async () => {
    const socket = await RawSocket.open(server.url);
    await socket.call("query", "probe.sleep", { ms: 0 });
    socket.close();
    const response = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    const body = await response.text();
    // The parser throws on any line that is not exposition format.
    const families = parsePrometheusTextFormat(body);
    const family = (name: string) => {
      const found = families.find((f) => f.name === name);
      expect(found, name).toBeDefined();
      return found!;
    };
    expect(family("pulse_trpc_call_duration_seconds").type).toBe("HISTOGRAM");
    // The parser folds a histogram's labelled series into one (it keeps no labels for them): the series are read from the text.
    const countOf = (transport: string) => Number(new RegExp(`^pulse_trpc_call_duration_seconds_count\\{path="probe\\.sleep",type="query",transport="${transport}"\\} (\\d+)$`, "m").exec(body)?.[1] ?? 0);
    expect(countOf("http")).toBeGreaterThanOrEqual(27);
    expect(countOf("ws")).toBeGreaterThanOrEqual(1);
    const calls = family("pulse_trpc_calls_total").metrics.filter((m) => m.labels?.path === "probe.sleep");
    expect(new Set(calls.map((m) => m.labels?.code))).toEqual(new Set(["OK", "INTERNAL_SERVER_ERROR", "BAD_REQUEST"]));

    const messages = family("pulse_websocket_messages_total");
    for (const direction of ["in", "out"]) {
      const sample = messages.metrics.find((m) => m.labels?.direction === direction);
      expect(Number(sample && "value" in sample ? sample.value : 0), direction).toBeGreaterThanOrEqual(1);
    }
    const opened = family("pulse_websocket_connections_total").metrics[0];
    expect(Number(opened && "value" in opened ? opened.value : 0)).toBeGreaterThanOrEqual(1);
    expect(family("pulse_jobs").type).toBe("GAUGE");
    expect(family("pulse_chat_tokens_total").type).toBe("COUNTER");
    expect(family("pulse_http_requests_total").type).toBe("COUNTER");
  });
});

describe("system samples", () => {
  it("are taken each second and written as this instance's minute", async () => {
    const sample = server.pulse.app.measurements.system();
    expect(sample.instance).toBe(instance);
    expect(sample.rssBytes).toBeGreaterThan(0);
    expect(sample.heapUsedBytes).toBeGreaterThan(0);
    expect(sample.handles).toBeGreaterThan(0);
    await flush();
    const rows = await sql<{ rssBytes: string }>(server.database.url, `SELECT "rssBytes" FROM "SystemMinute" WHERE instance = $1`, [instance]);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(Number(rows[0]!.rssBytes)).toBeGreaterThan(0);
  });
});

/** A Measurements of its own on the test's database (a clock of its own, an instance name of its own). */
function standalone(pool: pg.Pool, clock: () => number, instanceId = `standalone-${randomUUID().slice(0, 8)}`) {
  const log = createLogger("silent");
  const availability = new DatabaseAvailability(pool, log);
  const measurements = new Measurements({ pool, log, instanceId, availability, queueDepth: async () => 0, connections: new ConnectionCount(), enabled: true, clock });
  return { measurements, availability, instanceId };
}

const call = (route: string, durationMs: number, status = 200): CallRecord => ({
  route,
  transport: "http",
  method: "GET",
  path: "/x",
  status,
  code: null,
  durationMs,
  userId: null,
  requestId: randomUUID(),
});

describe("while the database is away", () => {
  it("a flush fails without throwing, keeps its data, and writes it once the database is back", async () => {
    const direct = new URL(server.database.url);
    const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    const through = new URL(server.database.url);
    through.hostname = "127.0.0.1";
    through.port = String(proxy.port);
    const pool = new pg.Pool({ connectionString: through.toString(), connectionTimeoutMillis: 1_000 });
    pool.on("error", () => undefined);
    const { measurements, availability, instanceId } = standalone(pool, Date.now);
    try {
      await proxy.cut();
      for (let i = 0; i < 5; i++) measurements.record(call("GET /while-away", 3));
      await expect(measurements.flush()).resolves.toBeUndefined();
      expect(availability.down).toBe(true);
      expect(await sql(server.database.url, `SELECT 1 FROM "MetricMinute" WHERE instance = $1`, [instanceId])).toHaveLength(0);

      await proxy.restore();
      await eventually(async () => {
        await measurements.flush();
        const rows = await sql<{ count: number }>(server.database.url, `SELECT count FROM "MetricMinute" WHERE instance = $1 AND route = 'GET /while-away'`, [instanceId]);
        return rows.reduce((sum, row) => sum + row.count, 0) === 5;
      }, "the minute written after the outage");
      const logged = await sql(server.database.url, `SELECT 1 FROM "RequestLog" WHERE instance = $1`, [instanceId]);
      expect(logged).toHaveLength(5);
    } finally {
      availability.close();
      await pool.end();
      await proxy.close();
    }
  });
});

describe("hourly rollup and retention", () => {
  it("merges a completed hour's minutes across instances into MetricHour, once", async () => {
    const pool = new pg.Pool({ connectionString: server.database.url });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000;
    let now = hour + 10 * 60_000;
    const a = standalone(pool, () => now);
    const b = standalone(pool, () => now);
    try {
      for (let i = 0; i < 4; i++) a.measurements.record(call("GET /rolled", 10));
      b.measurements.record(call("GET /rolled", 200, 500));
      await Promise.all([a.measurements.flush(), b.measurements.flush()]);
      now = hour + 50 * 60_000;
      a.measurements.record(call("GET /rolled", 20, 404));
      await a.measurements.flush();

      now = hour + 3 * 3_600_000;
      await a.measurements.maintain();
      const rows = await sql<MinuteRow>(server.database.url, `SELECT count, errors, "clientErrors", "sumMs", "maxMs", histogram FROM "MetricHour" WHERE hour = $1 AND route = 'GET /rolled'`, [new Date(hour)]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ count: 6, errors: 1, clientErrors: 1, sumMs: 260, maxMs: 200 });
      const histogram = decodeHistogram(rows[0]!.histogram);
      expect(histogram.totalCount).toBe(6);
      expect(percentilesMs(histogram).p50).toBeCloseTo(10, 0);
      // Another instance's turn finds the hour done.
      await b.measurements.maintain();
      expect(await sql(server.database.url, `SELECT 1 FROM "MetricHour" WHERE hour = $1 AND route = 'GET /rolled'`, [new Date(hour)])).toHaveLength(1);
    } finally {
      a.availability.close();
      b.availability.close();
      await pool.end();
    }
  });

  it("deletes minutes older than 7 days, request-log rows older than 24 hours, errors unseen for 30 days", async () => {
    const pool = new pg.Pool({ connectionString: server.database.url });
    let now = Date.now() - 8 * 24 * 3_600_000;
    const old = standalone(pool, () => now);
    try {
      old.measurements.record(call("GET /ancient", 1, 500));
      await old.measurements.flush();
      const counts = async () =>
        (
          await sql<{ minutes: number; log: number; errors: number }>(
            server.database.url,
            `SELECT (SELECT count(*)::int FROM "MetricMinute" WHERE instance = $1) AS minutes,
                    (SELECT count(*)::int FROM "RequestLog" WHERE instance = $1) AS log,
                    (SELECT count(*)::int FROM "ErrorGroup" WHERE route = 'GET /ancient') AS errors`,
            [old.instanceId],
          )
        )[0];
      expect(await counts()).toEqual({ minutes: 2, log: 1, errors: 1 });
      now = Date.now();
      await old.measurements.maintain();
      // The error group was seen 8 days ago: it stays (30 days); the minutes and the log row go.
      expect(await counts()).toEqual({ minutes: 0, log: 0, errors: 1 });
    } finally {
      old.availability.close();
      await pool.end();
    }
  });
});
