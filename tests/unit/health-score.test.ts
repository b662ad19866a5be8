import { describe, expect, it } from "vitest";
import { healthScore, type CheckStatus } from "@/server/features/health/service";

const ok = (n: number): CheckStatus[] => Array.from({ length: n }, () => "ok");

describe("healthScore", () => {
  it("is 100 and ok with no errors and every check ok", () => {
    expect(healthScore(0, ok(5))).toEqual({ score: 100, status: "ok" });
    expect(healthScore(0, [])).toEqual({ score: 100, status: "ok" });
  });

  it("takes 2 points per whole percent of errors", () => {
    expect(healthScore(0.01, ok(5)).score).toBe(98);
    expect(healthScore(0.05, ok(5)).score).toBe(90);
    expect(healthScore(3 / 100, ok(5)).score).toBe(94);
    expect(healthScore(7 / 100, ok(5)).score).toBe(86);
  });

  it("takes at most 30 points for errors", () => {
    expect(healthScore(0.15, ok(5)).score).toBe(70);
    expect(healthScore(0.5, ok(5)).score).toBe(70);
    expect(healthScore(1, ok(5))).toEqual({ score: 70, status: "degraded" });
  });

  it("takes 20 per unhealthy check and 10 per degraded one", () => {
    expect(healthScore(0, ["unhealthy", "ok", "ok"]).score).toBe(80);
    expect(healthScore(0, ["degraded", "ok", "ok"]).score).toBe(90);
    expect(healthScore(0, ["degraded", "degraded", "unhealthy"]).score).toBe(60);
    expect(healthScore(0.02, ["degraded", "unhealthy"]).score).toBe(66);
  });

  it("is ok from 90, degraded from 50, unhealthy below", () => {
    expect(healthScore(0, ["degraded"])).toEqual({ score: 90, status: "ok" });
    expect(healthScore(0.01, ["degraded"])).toEqual({ score: 88, status: "degraded" });
    expect(healthScore(0, ["unhealthy", "unhealthy", "degraded"])).toEqual({ score: 50, status: "degraded" });
    expect(healthScore(0.01, ["unhealthy", "unhealthy", "degraded"])).toEqual({ score: 48, status: "unhealthy" });
  });

  it("never goes below 0", () => {
    expect(healthScore(1, ["unhealthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy"])).toEqual({ score: 0, status: "unhealthy" });
  });
});
