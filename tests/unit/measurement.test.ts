/**
 * The pieces of measurement that need no server: the histogram's stored form, route names and
 * their cap, error fingerprints, the per-second ring, and Measurements' minute bookkeeping on a
 * clock of the test's own (nothing here is flushed).
 */
import { describe, expect, it } from "vitest";
import { DatabaseAvailability } from "@/server/db/availability";
import { createLogger } from "@/server/log";
import { ConnectionCount } from "@/server/metrics/connections";
import { decodeHistogram, encodeHistogram, Measurements, mergeHistograms, newHistogram, percentilesMs, type CallRecord } from "@/server/metrics/measurements";
import type { JsHistogram } from "hdr-histogram-js";
import { countsIndexOf, HIGHEST_US, recordMicros } from "@/server/metrics/histogram";
import { CLIENT_ERROR, OK, SecondRing, SERVER_ERROR } from "@/server/metrics/ring";
import { fingerprint, httpRoute, MAX_ROUTES_PER_MINUTE, normaliseMessage, normalisePath } from "@/server/metrics/routes";

describe("histograms", () => {
  it("survive encoding: same count, percentiles and max within two significant digits", () => {
    const h = newHistogram();
    for (let us = 100; us <= 100_000; us += 100) h.recordValue(us);
    const decoded = decodeHistogram(encodeHistogram(h));
    expect(decoded.totalCount).toBe(1000);
    const before = percentilesMs(h);
    const after = percentilesMs(decoded);
    for (const key of ["p50", "p90", "p95", "p99", "max"] as const) expect(Math.abs(after[key] - before[key])).toBeLessThanOrEqual(before[key] * 0.01);
    // The true p50 of 0.1..100 ms in 0.1 ms steps is 50 ms.
    expect(Math.abs(after.p50 - 50)).toBeLessThanOrEqual(0.5);
  });

  it("decode from a Uint8Array view as well as a Buffer", () => {
    const h = newHistogram();
    h.recordValue(1234);
    const bytes = encodeHistogram(h);
    const copy = new Uint8Array(bytes.length + 8);
    copy.set(bytes, 8);
    expect(decodeHistogram(copy.subarray(8)).totalCount).toBe(1);
  });

  it("merge: counts add up, percentiles are those of all the values together", () => {
    const fast = newHistogram();
    const slow = newHistogram();
    for (let i = 0; i < 90; i++) fast.recordValue(1_000);
    for (let i = 0; i < 10; i++) slow.recordValue(100_000);
    const merged = mergeHistograms([decodeHistogram(encodeHistogram(fast)), decodeHistogram(encodeHistogram(slow))]);
    expect(merged.totalCount).toBe(100);
    const p = percentilesMs(merged);
    expect(p.p50).toBeCloseTo(1, 1);
    expect(p.p90).toBeCloseTo(1, 1);
    expect(Math.abs(p.p95 - 100)).toBeLessThanOrEqual(1);
    expect(fast.totalCount).toBe(90); // inputs untouched
  });

  it("record on the request path exactly as the library does: same bucket for every value, same histogram", () => {
    const layout = newHistogram() as JsHistogram;
    const values = [1, 2, 99, 100, 101, 127, 128, 129, 255, 256, 1000, 65_535, 65_536, 2 ** 30 - 1, 2 ** 30, 2 ** 31 - 1, 2 ** 31, HIGHEST_US];
    for (let exponent = 0; exponent < 32; exponent++) for (const delta of [-1, 0, 1]) values.push(Math.max(1, Math.min(HIGHEST_US, 2 ** exponent + delta)));
    for (let i = 0; i < 20_000; i++) values.push(1 + Math.floor(Math.random() ** 4 * HIGHEST_US));
    for (const us of values) expect(countsIndexOf(us), `value ${us}`).toBe(layout.countsArrayIndex(us));

    const byLibrary = newHistogram();
    const ours = newHistogram();
    for (const us of values) {
      byLibrary.recordValue(us);
      recordMicros(ours, us);
    }
    expect(encodeHistogram(ours).equals(encodeHistogram(byLibrary))).toBe(true);
    expect([ours.totalCount, ours.maxValue, ours.minNonZeroValue]).toEqual([byLibrary.totalCount, byLibrary.maxValue, byLibrary.minNonZeroValue]);
  });

  it("reads an empty histogram as zeros", () => {
    expect(percentilesMs(newHistogram())).toEqual({ p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 });
  });
});

describe("routes", () => {
  it("normalise ids in page paths: uuids, numbers, long hex, long tokens", () => {
    expect(normalisePath("/sessions/3f0c1a8e-9d2b-4c61-8a55-0e4f3b2a1c9d")).toBe("/sessions/:id");
    expect(normalisePath("/files/123/view")).toBe("/files/:id/view");
    expect(normalisePath("/commit/9fceb02d0ae598e95dc970b74767f19372d61af8")).toBe("/commit/:id");
    expect(normalisePath(`/invite/${"a".repeat(41)}`)).toBe("/invite/:id");
    expect(normalisePath("/sessions/new")).toBe("/sessions/new");
    expect(normalisePath("/deadbeefcafe")).toBe("/deadbeefcafe"); // a word, not an id: no digit
  });

  it("name HTTP requests by what served them", () => {
    expect(httpRoute("GET", "/api/files/abc/download", 200, "/api/files/:id/download")).toBe("GET /api/files/:id/download");
    expect(httpRoute("GET", "/health/ready", 503)).toBe("GET /health/ready");
    expect(httpRoute("GET", "/metrics", 200)).toBe("GET /metrics");
    expect(httpRoute("GET", "/_next/static/chunks/main-123.js", 200)).toBe("GET /_next/*");
    expect(httpRoute("GET", "/sessions/42", 200)).toBe("GET page:/sessions/:id");
    expect(httpRoute("GET", "/wp-admin/setup.php", 404)).toBe("GET page:(not found)");
    expect(httpRoute("GET", "/healthz", 200)).toBe("GET page:/healthz");
  });
});

describe("error fingerprints", () => {
  it("take ids and numbers out of the message", () => {
    expect(normaliseMessage("job 3f0c1a8e-9d2b-4c61-8a55-0e4f3b2a1c9d failed after 120 ms (attempt 3, object 5f2b8c9d1e0a)")).toBe(
      "job # failed after # ms (attempt #, object #)",
    );
  });

  it("are the same for the same failure, different for a different code, route or kind", () => {
    const a = fingerprint("server", "INTERNAL_SERVER_ERROR", "trpc:files.create", "row 12 is broken");
    expect(fingerprint("server", "INTERNAL_SERVER_ERROR", "trpc:files.create", "row 987 is broken")).toBe(a);
    expect(fingerprint("server", "INTERNAL_SERVER_ERROR", "trpc:files.list", "row 12 is broken")).not.toBe(a);
    expect(fingerprint("server", "TIMEOUT", "trpc:files.create", "row 12 is broken")).not.toBe(a);
    expect(fingerprint("client", "INTERNAL_SERVER_ERROR", "trpc:files.create", "row 12 is broken")).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{40}$/);
  });
});

const T0 = 1_700_000_000_000; // a whole minute
const S = 1_000;

describe("the per-second ring", () => {
  it("counts the last N seconds, the current one included, and forgets older ones", () => {
    const ring = new SecondRing(300, 60);
    ring.add(T0, 1_000, OK);
    ring.add(T0 + 10 * S, 2_000, SERVER_ERROR);
    ring.add(T0 + 20 * S + 500, 3_000, CLIENT_ERROR);
    expect(ring.read(T0 + 20 * S + 900, 11)).toEqual({ count: 2, errors: 1, clientErrors: 1 });
    expect(ring.read(T0 + 20 * S + 900, 300)).toEqual({ count: 3, errors: 1, clientErrors: 1 });
    // Five minutes on, the first call has left the window.
    expect(ring.read(T0 + 300 * S, 300)).toEqual({ count: 2, errors: 1, clientErrors: 1 });
  });

  it("reuses a slot when its second comes round, without its old contents", () => {
    const ring = new SecondRing(300, 60);
    ring.add(T0, 1_000, SERVER_ERROR);
    ring.add(T0 + 300 * S, 5_000, OK); // the same slot, five minutes later
    expect(ring.read(T0 + 300 * S, 300)).toEqual({ count: 1, errors: 0, clientErrors: 0 });
    ring.add(T0 + 360 * S, 7_000, OK); // the same histogram slot, one minute later
    const h = ring.histogram(T0 + 360 * S, 1);
    expect(h.totalCount).toBe(1);
    expect(percentilesMs(h).max).toBeCloseTo(7, 1);
  });

  it("merges the histograms of the last N seconds (at most a minute)", () => {
    const ring = new SecondRing(300, 60);
    for (let i = 0; i < 70; i++) ring.add(T0 + i * S, (i + 1) * 1_000, OK);
    expect(ring.histogram(T0 + 69 * S, 10).totalCount).toBe(10);
    expect(ring.histogram(T0 + 69 * S, 600).totalCount).toBe(60);
    expect(percentilesMs(ring.histogram(T0 + 69 * S, 10)).max).toBeCloseTo(70, 0);
  });
});

function measurementsAt(clock: () => number, enabled = true) {
  const log = createLogger("silent");
  return new Measurements({
    pool: undefined as never,
    log,
    instanceId: "unit",
    availability: new DatabaseAvailability(undefined as never, log),
    queueDepth: async () => 0,
    connections: new ConnectionCount(),
    enabled,
    clock,
  });
}

const call = (route: string, durationMs: number, status = 200): CallRecord => ({
  route,
  transport: "http",
  method: "GET",
  path: "/",
  status,
  code: null,
  durationMs,
  userId: null,
  requestId: "r",
});

describe("Measurements in memory", () => {
  it("counts each call in its route and in *, per minute", () => {
    let now = T0 + 5 * S;
    const m = measurementsAt(() => now);
    m.record(call("GET /a", 10));
    m.record(call("GET /a", 30, 500));
    m.record(call("GET /b", 20, 404));
    expect(m.currentMinute("GET /a")).toMatchObject({ count: 2, errors: 1, clientErrors: 0 });
    expect(m.currentMinute("*")).toMatchObject({ count: 3, errors: 1, clientErrors: 1 });
    expect(m.currentMinute("*")!.max).toBeCloseTo(30, 0);
    now = T0 + 65 * S;
    m.record(call("GET /a", 10));
    expect(m.currentMinute("GET /a")).toMatchObject({ count: 1 });
    expect(m.held()).toEqual({ minutes: 2, routes: 5 });
    expect(m.errorRate()).toEqual({ rate: 0.25, total: 4, errors: 1 });
  });

  it("caps the distinct routes of a minute: the rest are counted as `other`", () => {
    const m = measurementsAt(() => T0);
    for (let i = 0; i < MAX_ROUTES_PER_MINUTE + 20; i++) m.record(call(`GET page:/p${i}`, 1));
    expect(m.currentMinute(`GET page:/p${MAX_ROUTES_PER_MINUTE - 1}`)).toMatchObject({ count: 1 });
    expect(m.currentMinute(`GET page:/p${MAX_ROUTES_PER_MINUTE}`)).toBeUndefined();
    expect(m.currentMinute("other")).toMatchObject({ count: 20 });
    expect(m.currentMinute("*")).toMatchObject({ count: MAX_ROUTES_PER_MINUTE + 20 });
    // A route already counted this minute keeps its own row.
    m.record(call("GET page:/p3", 1));
    expect(m.currentMinute("GET page:/p3")).toMatchObject({ count: 2 });
  });

  it("records nothing when measuring is off", () => {
    const m = measurementsAt(() => T0, false);
    m.record(call("GET /a", 10));
    expect(m.currentMinute("*")).toBeUndefined();
    expect(m.recent(60)).toMatchObject({ count: 0 });
  });
});
