/**
 * The presence batcher on its own (no server): transitions go out as one batch per session and
 * window, a quick reconnect writes nothing, an offline never overtakes its online, failed writes
 * are retried, and flush() writes what is pending at once. Plus the client-side derivation.
 */
import { describe, expect, it } from "vitest";
import { applyPresence, Presence, type PresenceChange } from "@/server/features/sessions/presence";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder(options: { delayMs?: number; failTimes?: number } = {}) {
  const writes: { sessionId: string; changes: PresenceChange[]; at: number }[] = [];
  const errors: unknown[] = [];
  let failures = options.failTimes ?? 0;
  const presence = new Presence(
    async (sessionId, changes) => {
      if (options.delayMs) await sleep(options.delayMs);
      if (failures > 0) {
        failures--;
        throw new Error("database down");
      }
      writes.push({ sessionId, changes, at: performance.now() });
    },
    (error) => errors.push(error),
    () => 100,
  );
  return { presence, writes, errors };
}

const summary = (changes: PresenceChange[]) => changes.map((c) => `${c.online ? "+" : "-"}${c.userId}`).sort();

describe("presence batches", () => {
  it("writes the first transition at once and the rest of the window in one batch", async () => {
    const { presence, writes } = recorder();
    const started = performance.now();
    presence.enter("s", "a", "A");
    await sleep(10);
    expect(writes.map((w) => summary(w.changes))).toEqual([["+a"]]);
    for (const user of ["b", "c", "d"]) presence.enter("s", user, user.toUpperCase());
    await sleep(20);
    expect(writes).toHaveLength(1); // still inside the window
    await sleep(150);
    expect(writes.map((w) => summary(w.changes))).toEqual([["+a"], ["+b", "+c", "+d"]]);
    expect(writes[1]!.at - started).toBeGreaterThanOrEqual(95);
    expect(writes[1]!.changes.find((c) => c.userId === "b")).toEqual({ userId: "b", name: "B", online: true });
  });

  it("a disconnect and reconnect within a window writes nothing; several streams of one user count once", async () => {
    const { presence, writes } = recorder();
    presence.enter("s", "a", "A");
    await sleep(10);
    presence.enter("s", "a", "A"); // a second tab
    presence.exit("s", "a");
    presence.exit("s", "a");
    presence.enter("s", "a", "A"); // reconnected
    presence.enter("s", "b", "B");
    presence.exit("s", "b"); // came and went
    await sleep(150);
    expect(writes.map((w) => summary(w.changes))).toEqual([["+a"]]);
    presence.exit("s", "a");
    await sleep(150);
    expect(writes.map((w) => summary(w.changes))).toEqual([["+a"], ["-a"]]);
  });

  it("sessions are batched separately; an offline never overtakes its online", async () => {
    const { presence, writes } = recorder({ delayMs: 30 });
    presence.enter("s1", "a", "A");
    presence.enter("s2", "a", "A");
    await sleep(5);
    presence.exit("s1", "a"); // while its online is being written
    await sleep(300);
    expect(writes.filter((w) => w.sessionId === "s1").map((w) => summary(w.changes))).toEqual([["+a"], ["-a"]]);
    expect(writes.filter((w) => w.sessionId === "s2").map((w) => summary(w.changes))).toEqual([["+a"]]);
  });

  it("retries a failed write with what is pending then", async () => {
    const { presence, writes, errors } = recorder({ failTimes: 1 });
    presence.enter("s", "a", "A");
    await sleep(10);
    expect(errors).toHaveLength(1);
    presence.enter("s", "b", "B");
    await sleep(1_300); // window + back-off
    expect(writes.map((w) => summary(w.changes))).toEqual([["+a", "+b"]]);
  });

  it("flush() writes the pending batch without waiting for the window", async () => {
    const { presence, writes } = recorder();
    presence.enter("s", "a", "A");
    await sleep(10);
    presence.exit("s", "a");
    presence.enter("s", "b", "B");
    const started = performance.now();
    await presence.flush();
    expect(performance.now() - started).toBeLessThan(50);
    expect(writes.map((w) => summary(w.changes))).toEqual([["+a"], ["+b", "-a"]]);
  });
});

describe("deriving who is online", () => {
  it("a user is online while some instance's last word lists them online", () => {
    const online = new Map([["a", new Set(["i1"])]]);
    applyPresence(online, { instance: "i2", online: [{ userId: "a", name: "A" }, { userId: "b", name: "B" }], offline: [] });
    expect([...online.keys()].sort()).toEqual(["a", "b"]);
    applyPresence(online, { instance: "i1", online: [], offline: [{ userId: "a", name: "A" }] });
    expect(online.get("a")).toEqual(new Set(["i2"]));
    applyPresence(online, { instance: "i2", online: [], offline: [{ userId: "a", name: "A" }, { userId: "b", name: "B" }] });
    expect(online.size).toBe(0);
    applyPresence(online, { instance: "i3", online: [], offline: [{ userId: "z", name: "Z" }] }); // unknown: ignored
    expect(online.size).toBe(0);
  });
});
