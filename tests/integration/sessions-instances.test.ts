/**
 * Live sessions across two server instances on one database, as behind a load balancer: the
 * event log in PostgreSQL and LISTEN/NOTIFY make a client on each see the other's messages and
 * presence, and a client that moves to the other instance resumes with no gap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually } from "./support/raw";
import { derivedOnline, follow, presenceOf } from "./support/sessions";

let first: TestServer;
let second: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({}, first.database);
  admin = await signUp(first, "Admin"); // the first account is the admin; the others are plain users
});
afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

describe("two instances, one database", () => {
  it("a client on each sees the other's messages and presence", async () => {
    expect(first.pulse.app.instanceId).not.toBe(second.pulse.app.instanceId);
    const alice = await signUp(first, "Alice");
    const bob = await signUp(second, "Bob");
    const onFirst = first.client(alice.token);
    const onSecond = second.client(bob.token);

    const session = await onFirst.sessions.create.mutate({ kind: "collaboration", title: "Across the cluster" });
    const aliceView = await onFirst.sessions.byId.query({ sessionId: session.id });
    const aliceEvents = follow(onFirst, { sessionId: session.id, lastEventId: aliceView.lastEventId });
    await aliceEvents.started;

    const joined = await onSecond.sessions.join.mutate({ sessionId: session.id });
    const bobEvents = follow(onSecond, { sessionId: session.id, lastEventId: joined.lastEventId });

    // Alice (first) sees Bob join and come online on the second instance.
    await aliceEvents.until(() => presenceOf(aliceEvents, bob.user.id, "online").length > 0, "Bob online, seen from the first instance");
    const bobOnline = presenceOf(aliceEvents, bob.user.id, "online")[0]!;
    expect(bobOnline).toMatchObject({ instance: second.pulse.app.instanceId, online: [{ userId: bob.user.id, name: "Bob" }], offline: [] });
    expect(aliceEvents.of("joined").map((e) => e.name)).toEqual(["Bob"]);
    expect(derivedOnline(aliceView.participants, aliceEvents.received)).toEqual(new Set([alice.user.id, bob.user.id]));
    // Bob (second) sees Alice as online: her presence was written by the first instance.
    await eventually(async () => {
      const view = await onSecond.sessions.byId.query({ sessionId: session.id });
      return view.participants.every((p) => p.online);
    }, "both online, seen from the second instance");
    const bobView = await onSecond.sessions.byId.query({ sessionId: session.id });
    expect(Object.fromEntries(bobView.participants.map((p) => [p.name, p.instances]))).toEqual({
      Alice: [first.pulse.app.instanceId],
      Bob: [second.pulse.app.instanceId],
    });

    // Alice opens a second stream, on the second instance: online on both; closing one keeps her online.
    const aliceElsewhere = follow(second.client(alice.token), { sessionId: session.id, lastEventId: bobView.lastEventId });
    await eventually(async () => {
      const view = await onFirst.sessions.byId.query({ sessionId: session.id });
      return view.participants.find((p) => p.userId === alice.user.id)?.instances.length === 2;
    }, "Alice online on both instances");
    aliceElsewhere.stop();
    await aliceEvents.until(
      (r) => r.some((e) => e.event.type === "presence" && e.event.instance === second.pulse.app.instanceId && e.event.offline.some((u) => u.userId === alice.user.id)),
      "Alice offline on the second instance",
    );
    expect(derivedOnline(aliceView.participants, aliceEvents.received)).toEqual(new Set([alice.user.id, bob.user.id]));
    const [aliceSeat] = (await onSecond.sessions.byId.query({ sessionId: session.id })).participants.filter((p) => p.userId === alice.user.id);
    expect(aliceSeat).toMatchObject({ online: true, instances: [first.pulse.app.instanceId] });

    const fromAlice = await onFirst.sessions.sendMessage.mutate({ sessionId: session.id, text: "Hi from instance one" });
    const fromBob = await onSecond.sessions.sendMessage.mutate({ sessionId: session.id, text: "Hello from instance two" });
    for (const follower of [aliceEvents, bobEvents]) {
      await follower.until((r) => r.some((e) => e.id === fromBob.eventId) && r.some((e) => e.id === fromAlice.eventId), "both messages on both instances");
      expect(follower.of("message").map((m) => m.text)).toEqual(["Hi from instance one", "Hello from instance two"]);
    }

    // A burst from both sides interleaves identically for both readers.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? onFirst : onSecond).sessions.sendMessage.mutate({ sessionId: session.id, text: `burst ${i}` }),
      ),
    );
    const lastId = burst.map((b) => BigInt(b.eventId)).reduce((a, b) => (a > b ? a : b)).toString();
    await aliceEvents.until((r) => r.some((e) => e.id === lastId), "the burst on the first instance");
    await bobEvents.until((r) => r.some((e) => e.id === lastId), "the burst on the second instance");
    const order = (ids: string[]) => ids.filter((id) => BigInt(id) > BigInt(fromBob.eventId));
    expect(order(bobEvents.received.map((e) => e.id))).toEqual(order(aliceEvents.received.map((e) => e.id)));
    expect(bobEvents.of("message")).toHaveLength(22);

    // Bob goes away: Alice, on the other instance, sees him go offline, then leave.
    bobEvents.stop();
    await aliceEvents.until(() => presenceOf(aliceEvents, bob.user.id, "offline").length > 0, "Bob offline, seen from the first instance");
    expect(derivedOnline(aliceView.participants, aliceEvents.received)).toEqual(new Set([alice.user.id]));
    await onSecond.sessions.leave.mutate({ sessionId: session.id });
    await aliceEvents.until(() => aliceEvents.of("left").some((e) => e.userId === bob.user.id), "Bob's left event");
    aliceEvents.stop();
  });

  it("a client that reconnects to the other instance resumes from its last event id", async () => {
    const host = await signUp(first, "Host");
    const reader = await signUp(first, "Reader");
    const hostClient = first.client(host.token);
    const session = await hostClient.sessions.create.mutate({ kind: "meditation", title: "Failover" });
    const joined = await first.client(reader.token).sessions.join.mutate({ sessionId: session.id });

    const before = follow(first.client(reader.token), { sessionId: session.id, lastEventId: joined.lastEventId });
    const m0 = await hostClient.sessions.sendMessage.mutate({ sessionId: session.id, text: "m0" });
    await before.until((r) => r.some((e) => e.id === m0.eventId), "m0 on the first instance");
    before.stop();

    const sent: string[] = [];
    for (let i = 1; i <= 30; i++) sent.push((await hostClient.sessions.sendMessage.mutate({ sessionId: session.id, text: `m${i}` })).eventId);
    const lastSeen = before.received.at(-1)!.id;
    const after = follow(second.client(reader.token), { sessionId: session.id, lastEventId: lastSeen });
    await after.until((r) => r.some((e) => e.id === sent.at(-1)), "the missed messages from the second instance");
    const live = await hostClient.sessions.sendMessage.mutate({ sessionId: session.id, text: "live" });
    await after.until((r) => r.some((e) => e.id === live.eventId), "a live message on the second instance");
    expect(after.of("message").map((m) => m.text)).toEqual([...Array.from({ length: 30 }, (_, i) => `m${i + 1}`), "live"]);
    const ids = after.received.map((e) => BigInt(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id > BigInt(lastSeen))).toBe(true);
    after.stop();
  });

  it("a help request made on one instance reaches an admin following on the other", async () => {
    const inbox = follow(second.client(admin.token), {});
    await inbox.started;
    const host = await signUp(first, "Help Host");
    const client = first.client(host.token);
    const session = await client.sessions.create.mutate({ kind: "stress", title: "Need a hand" });
    await client.sessions.requestHelp.mutate({ sessionId: session.id, note: "Please come" });
    await inbox.until((r) => r.length === 1, "the help request on the other instance");
    expect(inbox.received[0]!.event).toMatchObject({ type: "help", sessionId: session.id, note: "Please come", name: "Help Host" });
    inbox.stop();
  });
});
