import { describe, expect, it } from "vitest";
import { reconnectDelayMs, toWebSocketUrl } from "@/trpc/links";

describe("toWebSocketUrl", () => {
  it("uses ws: for http and wss: for https, on the same host, at /api/ws", () => {
    expect(toWebSocketUrl("http://localhost:3000")).toBe("ws://localhost:3000/api/ws");
    expect(toWebSocketUrl("https://pulse.onrender.com")).toBe("wss://pulse.onrender.com/api/ws");
    expect(toWebSocketUrl("https://pulse.example.com/some/page?x=1")).toBe("wss://pulse.example.com/api/ws");
  });
});

describe("reconnectDelayMs", () => {
  it("backs off exponentially from about half a second, with jitter, capped at 30 s", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(30_000, 500 * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = reconnectDelayMs(attempt);
        expect(delay).toBeGreaterThanOrEqual(base / 2);
        expect(delay).toBeLessThanOrEqual(base);
      }
    }
    expect(reconnectDelayMs(100)).toBeLessThanOrEqual(30_000);
  });

  it("spreads clients out instead of reconnecting in step", () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelayMs(5)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
