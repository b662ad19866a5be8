/**
 * The event bus on a real PostgreSQL. Its one listening connection runs one statement at a time
 * (pg 9 refuses overlapping queries on a client; these tests run with --throw-deprecation, so
 * pg 8's warning fails them). When that connection is lost (a database restart, a network blip)
 * and comes back, what was written meanwhile was announced to nobody: every open stream re-reads
 * from its last delivered id, so a quiet room does not wait for its next message.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "@/server/bus/bus";
import { createLogger } from "@/server/log";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { cutTheBus } from "./support/bus";
import { eventually } from "./support/raw";
import { follow, presenceOf } from "./support/sessions";

let first: TestServer;
let second: TestServer;
beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({}, first.database);
  await signUp(first, "Admin");
});
afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

describe("the listening connection", () => {
  it("takes many subscriptions and unsubscriptions at once, one statement at a time, and delivers to each", async () => {
    const pool = new pg.Pool({ connectionString: first.database.url, max: 2 });
    const bus = await createBus(first.database.url, pool, createLogger("silent"));
    try {
      const received = new Map<string, string[]>();
      const channels = Array.from({ length: 40 }, (_, i) => `bus-test-${i}`);
      const unsubscribes = await Promise.all(
        channels.map((channel) => bus.subscribe(channel, (payload) => received.set(channel, [...(received.get(channel) ?? []), payload]))),
      );
      // Half of them leave and come back at once: UNLISTEN and LISTEN of one channel stay in order.
      for (const unsubscribe of unsubscribes.slice(0, 20)) unsubscribe();
      await Promise.all(channels.slice(0, 20).map((channel) => bus.subscribe(channel, (payload) => received.set(channel, [...(received.get(channel) ?? []), `again:${payload}`]))));
      await Promise.all(channels.map((channel) => bus.publish(channel, channel)));
      await eventually(() => channels.every((channel) => received.has(channel)), "every channel's notification");
      for (const [index, channel] of channels.entries()) expect(received.get(channel)).toEqual([index < 20 ? `again:${channel}` : channel]);
    } finally {
      await bus.close();
      await pool.end();
    }
  });
});

describe("when the bus reconnects", () => {
  it("a message written while it was down reaches every follower, on every instance, with no later message", async () => {
    const alice = await signUp(first, "Alice");
    const bob = await signUp(second, "Bob");
    const onFirst = first.client(alice.token);
    const onSecond = second.client(bob.token);
    const session = await onFirst.sessions.create.mutate({ kind: "collaboration", title: "A quiet room" });
    const { lastEventId } = await onSecond.sessions.join.mutate({ sessionId: session.id });

    const aliceEvents = follow(onFirst, { sessionId: session.id, lastEventId });
    const bobEvents = follow(onSecond, { sessionId: session.id, lastEventId });
    await Promise.all([aliceEvents.started, bobEvents.started]);
    // Both are online (their presence written and delivered): nothing else is on its way.
    await aliceEvents.until(() => presenceOf(aliceEvents, bob.user.id, "online").length > 0, "Bob online");
    await bobEvents.until(() => presenceOf(bobEvents, bob.user.id, "online").length > 0, "Bob's own presence, live");

    const cut = await cutTheBus(first.database.url);
    expect(cut.length).toBe(2); // one listening connection per instance
    // Written and acknowledged while neither instance listens: its announcement reaches no one.
    const { eventId } = await onFirst.sessions.sendMessage.mutate({ sessionId: session.id, text: "Anyone there?" });

    await aliceEvents.until((received) => received.some((r) => r.id === eventId), "Alice to get the message after the bus is back", 15_000);
    await bobEvents.until((received) => received.some((r) => r.id === eventId), "Bob to get the message after the bus is back", 15_000);
    for (const follower of [aliceEvents, bobEvents]) {
      expect(follower.of("message").map((m) => m.text)).toEqual(["Anyone there?"]);
      const ids = follower.received.map((r) => BigInt(r.id));
      expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(new Set(ids).size).toBe(ids.length); // nothing twice
    }
    // And the bus is listening again: the next message arrives as usual.
    const next = await onSecond.sessions.sendMessage.mutate({ sessionId: session.id, text: "Yes, here." });
    await aliceEvents.until((received) => received.some((r) => r.id === next.eventId), "the next message");
    aliceEvents.stop();
    bobEvents.stop();
  });
});
