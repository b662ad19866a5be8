/** Load-test grading and the runner's recorder: the documented lines, and figures that add up. */
import { describe, expect, it } from "vitest";
import { Recorder } from "@/server/features/load-tests/runner/recorder";
import { GRADE_THRESHOLDS, gradeRun } from "@/shared/load-tests";

describe("gradeRun", () => {
  it("gives the best grade whose every line the run meets", () => {
    expect(gradeRun("http-read", { requests: 10_000, errors: 0, p99: 12 }).grade).toBe("A");
    expect(gradeRun("http-read", { requests: 10_000, errors: 0, p99: 51 }).grade).toBe("B");
    expect(gradeRun("http-read", { requests: 10_000, errors: 40, p99: 12 }).grade).toBe("B"); // 0.4 % errors
    expect(gradeRun("http-read", { requests: 10_000, errors: 90, p99: 12 }).grade).toBe("C");
    expect(gradeRun("http-read", { requests: 10_000, errors: 0, p99: 999 }).grade).toBe("D");
    expect(gradeRun("http-read", { requests: 10_000, errors: 600, p99: 12 }).grade).toBe("F");
    expect(gradeRun("http-read", { requests: 10_000, errors: 0, p99: 1_001 }).grade).toBe("F");
  });

  it("holds chat answers to their own latency lines, and websocket runs to delivery", () => {
    expect(gradeRun("chat", { requests: 100, errors: 0, p99: 1_500 }).grade).toBe("A");
    expect(gradeRun("http-read", { requests: 100, errors: 0, p99: 1_500 }).grade).toBe("F");
    expect(gradeRun("websocket", { requests: 1_000, errors: 0, p99: 10, delivered: 1_000, expected: 1_000 }).grade).toBe("A");
    expect(gradeRun("websocket", { requests: 999, errors: 0, p99: 10, delivered: 999, expected: 1_000 }).grade).toBe("B");
    expect(gradeRun("websocket", { requests: 900, errors: 0, p99: 10, delivered: 900, expected: 1_000 }).grade).toBe("F");
  });

  it("fails a run in which nothing completed, and says why in words", () => {
    expect(gradeRun("http-read", { requests: 0, errors: 0, p99: 0 })).toEqual({ grade: "F", reason: "No request completed." });
    expect(gradeRun("http-read", { requests: 1_000, errors: 0, p99: 20 }).reason).toMatch(/p99 20 ms \(≤ 50 ms\)/);
  });

  it("has lines that get stricter from D to A", () => {
    for (let i = 1; i < GRADE_THRESHOLDS.length; i++) {
      const [better, worse] = [GRADE_THRESHOLDS[i - 1]!, GRADE_THRESHOLDS[i]!];
      expect(better.maxErrorRate).toBeLessThan(worse.maxErrorRate);
      expect(better.maxP99Ms).toBeLessThan(worse.maxP99Ms);
      expect(better.maxChatP99Ms).toBeLessThan(worse.maxChatP99Ms);
      expect(better.minDelivered).toBeGreaterThan(worse.minDelivered);
    }
  });
});

describe("Recorder", () => {
  it("adds the seconds up to the totals; the histogram holds every request; percentiles never pass the maximum", () => {
    const recorder = new Recorder();
    for (let i = 1; i <= 100; i++) recorder.ok(i);
    recorder.failed("HTTP 500", 3);
    recorder.failed("timeout");
    const first = recorder.snapshot();
    for (let i = 0; i < 10; i++) recorder.ok(0.05);
    const second = recorder.snapshot();
    const totals = recorder.totals();
    expect(first.requests + second.requests).toBe(totals.requests);
    expect(totals.requests).toBe(112);
    expect(totals.errors).toBe(2);
    expect(totals.errorsByKind).toEqual({ "HTTP 500": 1, timeout: 1 });
    expect(first.errorsByKind).toEqual({ "HTTP 500": 1, timeout: 1 });
    expect(second.errors).toBe(0);
    // Every timed request is in one bucket; the timeout (no answer) has no latency.
    expect(totals.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(111);
    expect(totals.histogram[0]).toEqual({ upToMs: 0.1, count: 10 });
    expect(totals.latency.max).toBeCloseTo(100, 0);
    expect(totals.latency.p99).toBeLessThanOrEqual(totals.latency.max);
    expect(first.p50).toBeGreaterThan(45);
    expect(first.p50).toBeLessThan(55);
    expect(second.p99).toBeLessThan(0.1);
  });
});
