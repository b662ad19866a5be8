import { describe, expect, it } from "vitest";
import { RecentRequests } from "@/server/metrics/recent-requests";

const T0 = 1_700_000_000_000; // a multiple of 10 s: the start of a bucket
const S = 1000;

describe("RecentRequests", () => {
  it("is 0 with no requests", () => {
    expect(new RecentRequests().errorRate(T0)).toEqual({ rate: 0, total: 0, errors: 0 });
  });

  it("is the fraction of server errors among requests", () => {
    const recent = new RecentRequests();
    for (let i = 0; i < 8; i++) recent.record(false, T0 + i * S);
    recent.record(true, T0 + 8 * S);
    recent.record(true, T0 + 15 * S);
    expect(recent.errorRate(T0 + 20 * S)).toEqual({ rate: 0.2, total: 10, errors: 2 });
  });

  it("counts what happened in the last five minutes, and forgets older requests", () => {
    const recent = new RecentRequests();
    recent.record(true, T0);
    recent.record(false, T0 + 60 * S);
    expect(recent.errorRate(T0 + 295 * S)).toEqual({ rate: 0.5, total: 2, errors: 1 });
    // Five minutes after the error it has left the window; the later success has not.
    expect(recent.errorRate(T0 + 300 * S)).toEqual({ rate: 0, total: 1, errors: 0 });
    expect(recent.errorRate(T0 + 361 * S)).toEqual({ rate: 0, total: 0, errors: 0 });
  });

  it("reuses a bucket when the window wraps round, without counting its old contents", () => {
    const recent = new RecentRequests();
    recent.record(true, T0);
    recent.record(true, T0 + 1 * S);
    // 300 s later the same ring slot comes round again.
    recent.record(false, T0 + 300 * S);
    expect(recent.errorRate(T0 + 300 * S)).toEqual({ rate: 0, total: 1, errors: 0 });
  });

  it("keeps counting across many buckets", () => {
    const recent = new RecentRequests();
    for (let s = 0; s < 290; s++) recent.record(s % 10 === 0, T0 + s * S);
    expect(recent.errorRate(T0 + 290 * S)).toEqual({ rate: 0.1, total: 290, errors: 29 });
  });
});
