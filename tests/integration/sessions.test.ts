/**
 * Live sessions on one server: presence and chat between two clients, resuming after a dropped
 * connection with no gap and no duplicate, each kind's shared state, help requests, history,
 * and bad input that gets its proper error and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import * as Y from "yjs";
import type { PulseClient } from "@/trpc/client";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, eventually, sql } from "./support/raw";
import { derivedOnline, droppableClient, follow, presenceOf, sessionRowCounts, subscriptionError } from "./support/sessions";

let server: TestServer;
type Account = Awaited<ReturnType<typeof signUp>>;
let admin: Account;

beforeAll(async () => {
  server = await startTestServer();
  admin = await signUp(server, "Ada Admin"); // the first account is the admin
});
afterAll(() => server?.stop());

async function person(name: string): Promise<{ account: Account; client: PulseClient }> {
  const account = await signUp(server, name);
  return { account, client: server.client(account.token) };
}

describe("presence and chat", () => {
  it("two clients see each other arrive, come online, chat, go offline and leave", async () => {
    const host = await person("Hana Host");
    const guest = await person("Gus Guest");
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Pairing room" });
    expect(session).toMatchObject({ kind: "collaboration", status: "scheduled", hostId: host.account.user.id, visibility: "public" });

    const hostView = await host.client.sessions.byId.query({ sessionId: session.id });
    const hostEvents = follow(host.client, { sessionId: session.id, lastEventId: hostView.lastEventId });
    await hostEvents.started;

    const joined = await guest.client.sessions.join.mutate({ sessionId: session.id });
    expect(joined.participants.map((p) => p.name)).toEqual(["Hana Host", "Gus Guest"]);
    const guestEvents = follow(guest.client, { sessionId: session.id, lastEventId: joined.lastEventId });

    const guestId = guest.account.user.id;
    await hostEvents.until((r) => r.some((e) => e.event.type === "joined" && e.event.userId === guestId), "the guest's joined event");
    await hostEvents.until(() => presenceOf(hostEvents, guestId, "online").length > 0, "the guest coming online");
    // One batched presence event per window, naming this instance and the user.
    const instance = server.pulse.app.instanceId;
    expect(presenceOf(hostEvents, guestId, "online")[0]).toMatchObject({ type: "presence", instance, offline: [], at: expect.any(Date) });
    expect(presenceOf(hostEvents, guestId, "online")[0]!.online).toContainEqual({ userId: guestId, name: "Gus Guest" });
    // The host derives who is online from its byId view plus the presence events after it.
    expect(derivedOnline(hostView.participants, hostEvents.received)).toEqual(new Set([host.account.user.id, guestId]));
    // The guest learns the host is online from byId (the host's presence event may predate its subscription).
    await eventually(async () => {
      const view = await guest.client.sessions.byId.query({ sessionId: session.id });
      const hostSeat = view.participants.find((p) => p.userId === host.account.user.id);
      return hostSeat?.online === true && hostSeat.instances.join() === instance;
    }, "the host to show as online to the guest");

    const hello = await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "Welcome!" });
    const reply = await guest.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "  Thanks, happy to be here  " });
    expect(BigInt(reply.eventId)).toBeGreaterThan(BigInt(hello.eventId));
    for (const follower of [hostEvents, guestEvents]) {
      await follower.until((r) => r.some((e) => e.id === reply.eventId), "both messages");
      expect(follower.of("message").map(({ text, userId, name }) => ({ text, userId, name }))).toEqual([
        { text: "Welcome!", userId: host.account.user.id, name: "Hana Host" },
        { text: "Thanks, happy to be here", userId: guestId, name: "Gus Guest" },
      ]);
      const message = follower.received.find((e) => e.id === hello.eventId)!.event;
      expect(message).toMatchObject({ type: "message", at: expect.any(Date) });
    }

    guestEvents.stop();
    await hostEvents.until(() => presenceOf(hostEvents, guestId, "offline").length > 0, "the guest going offline");
    expect(presenceOf(hostEvents, guestId, "offline")[0]!.offline).toEqual([{ userId: guestId, name: "Gus Guest" }]);
    expect(derivedOnline(hostView.participants, hostEvents.received)).toEqual(new Set([host.account.user.id]));
    const afterOffline = (await host.client.sessions.byId.query({ sessionId: session.id })).participants.find((p) => p.userId === guestId);
    expect(afterOffline).toMatchObject({ online: false, instances: [] });

    expect(await guest.client.sessions.leave.mutate({ sessionId: session.id })).toEqual({ left: true });
    expect(await guest.client.sessions.leave.mutate({ sessionId: session.id })).toEqual({ left: false });
    await hostEvents.until((r) => r.some((e) => e.event.type === "left" && e.event.userId === guestId), "the guest's left event");
    expect((await host.client.sessions.byId.query({ sessionId: session.id })).participants.map((p) => p.name)).toEqual(["Hana Host"]);

    // Ids increase, and nothing arrived twice.
    const ids = hostEvents.received.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(ids).size).toBe(ids.length);
    hostEvents.stop();
  });

  it("many people connecting at once cost a few batched presence events, and every view agrees", async () => {
    const host = await person("Crowd Host");
    const session = await host.client.sessions.create.mutate({ kind: "breathing", title: "Crowd", capacity: 100 });
    const guests = await Promise.all(Array.from({ length: 24 }, (_, i) => person(`Crowd ${i + 1}`)));
    for (const guest of guests) await guest.client.sessions.join.mutate({ sessionId: session.id });
    const hostView = await host.client.sessions.byId.query({ sessionId: session.id });
    const everyone = new Set([host.account.user.id, ...guests.map((g) => g.account.user.id)]);
    const settings = server.pulse.services.sessions.settings;
    settings.presenceWindowMs = 1_000; // a wide window, so that the bound below holds on a slow machine
    try {
      const hostEvents = follow(host.client, { sessionId: session.id, lastEventId: hostView.lastEventId });
      await hostEvents.started;
      const followers = guests.map((g) => follow(g.client, { sessionId: session.id, lastEventId: hostView.lastEventId }));
      await hostEvents.until((r) => derivedOnline(hostView.participants, r).size === everyone.size, "everyone online, as the host derives it", 20_000);

      // 25 users came online in a few events (one per window), each user named once.
      const arrivals = hostEvents.of("presence");
      expect(arrivals.length).toBeLessThanOrEqual(5);
      const named = arrivals.flatMap((e) => e.online.map((u) => u.userId));
      expect(new Set(named)).toEqual(everyone);
      expect(named).toHaveLength(everyone.size);
      expect(arrivals.every((e) => e.offline.length === 0 && e.instance === server.pulse.app.instanceId)).toBe(true);

      // A guest's own derivation and a newcomer's byId agree with the host's.
      await followers[0]!.until((r) => derivedOnline(hostView.participants, r).size === everyone.size, "everyone online, as a guest derives it");
      const view = await guests[5]!.client.sessions.byId.query({ sessionId: session.id });
      expect(view.participants.filter((p) => p.online).map((p) => p.userId).sort()).toEqual([...everyone].sort());

      // Everyone but the host goes away at once: again a few events, and the same picture everywhere.
      const before = hostEvents.of("presence").length;
      for (const follower of followers) follower.stop();
      await hostEvents.until((r) => derivedOnline(hostView.participants, r).size === 1, "only the host online", 20_000);
      expect(derivedOnline(hostView.participants, hostEvents.received)).toEqual(new Set([host.account.user.id]));
      const departures = hostEvents.of("presence").slice(before);
      expect(departures.length).toBeLessThanOrEqual(5);
      expect(departures.flatMap((e) => e.offline.map((u) => u.userId)).sort()).toEqual(guests.map((g) => g.account.user.id).sort());
      const after = await host.client.sessions.byId.query({ sessionId: session.id });
      expect(after.participants.filter((p) => p.online).map((p) => p.userId)).toEqual([host.account.user.id]);

      // What the stream delivered is exactly what the log holds.
      const [{ count }] = (await sql<{ count: string }>(
        server.database.url,
        `SELECT count(*) FROM "SessionEvent" WHERE "sessionId" = $1 AND type = 'presence' AND id > $2`,
        [session.id, hostView.lastEventId],
      )) as [{ count: string }];
      expect(Number(count)).toBe(hostEvents.of("presence").length);
      hostEvents.stop();
    } finally {
      settings.presenceWindowMs = 200;
    }
  });

  it("a participant's stream ends when they leave; the session's streams end when it ends", async () => {
    const host = await person("Host");
    const guest = await person("Guest");
    const session = await host.client.sessions.create.mutate({ kind: "stress", title: "Check-in" });
    const joined = await guest.client.sessions.join.mutate({ sessionId: session.id });
    let guestDone = false;
    const guestSub = guest.client.sessions.events.subscribe(
      { sessionId: session.id, lastEventId: joined.lastEventId },
      { onData: () => undefined, onComplete: () => (guestDone = true), onStopped: () => (guestDone = true) },
    );
    let hostDone = false;
    const hostSub = host.client.sessions.events.subscribe(
      { sessionId: session.id, lastEventId: joined.lastEventId },
      { onData: () => undefined, onComplete: () => (hostDone = true), onStopped: () => (hostDone = true) },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await guest.client.sessions.leave.mutate({ sessionId: session.id });
    await eventually(() => guestDone, "the guest's stream to end after leaving");
    expect(hostDone).toBe(false);
    await host.client.sessions.end.mutate({ sessionId: session.id });
    await eventually(() => hostDone, "the host's stream to end with the session");
    guestSub.unsubscribe();
    hostSub.unsubscribe();
  });
});

describe("no lost events", () => {
  it("a client whose connection drops while 50 messages are sent gets all 50 after it reconnects, once each, in order", async () => {
    const host = await person("Sender");
    const reader = await signUp(server, "Flaky Reader");
    const session = await host.client.sessions.create.mutate({ kind: "meditation", title: "Quiet hour", capacity: 10 });
    const flaky = droppableClient(server, reader.token);
    try {
      const joined = await flaky.client.sessions.join.mutate({ sessionId: session.id });
      const events = follow(flaky.client, { sessionId: session.id, lastEventId: joined.lastEventId });
      const first = await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "before the drop" });
      await events.until((r) => r.some((e) => e.id === first.eventId), "the message before the drop");
      expect(flaky.opened).toBe(1);

      flaky.drop();
      const sent: string[] = [];
      for (let i = 1; i <= 50; i++) sent.push((await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: `message ${i}` })).eventId);
      // Still cut off: nothing of the 50 can have arrived.
      expect(events.of("message").map((m) => m.text)).toEqual(["before the drop"]);
      flaky.restore();

      await events.until((r) => r.some((e) => e.id === sent.at(-1)), "the 50th message after reconnecting", 20_000);
      expect(flaky.opened).toBeGreaterThanOrEqual(2);
      // A few more live, to see the stream continue after the replay.
      const after = await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "after" });
      await events.until((r) => r.some((e) => e.id === after.eventId), "the live message after the replay");

      const texts = events.of("message").map((m) => m.text);
      expect(texts).toEqual(["before the drop", ...Array.from({ length: 50 }, (_, i) => `message ${i + 1}`), "after"]);
      const messageIds = events.received.filter((e) => e.event.type === "message").map((e) => e.id);
      expect(messageIds).toEqual([first.eventId, ...sent, after.eventId]);
      const ids = events.received.map((e) => BigInt(e.id));
      expect(new Set(ids).size).toBe(ids.length);
      for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
      events.stop();
    } finally {
      await flaky.close();
    }
  });

  it("resubscribing with lastEventId replays exactly what came after it, then continues live", async () => {
    const host = await person("Host");
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Replay" });
    const first = follow(host.client, { sessionId: session.id, lastEventId: (await host.client.sessions.byId.query({ sessionId: session.id })).lastEventId });
    const m1 = await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "one" });
    await first.until((r) => r.some((e) => e.id === m1.eventId), "message one");
    first.stop();
    const sent: string[] = [];
    for (const text of ["two", "three", "four"]) sent.push((await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text })).eventId);
    const resumed = follow(host.client, { sessionId: session.id, lastEventId: m1.eventId });
    await resumed.until((r) => r.some((e) => e.id === sent.at(-1)), "the replay");
    const live = await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "five" });
    await resumed.until((r) => r.some((e) => e.id === live.eventId), "the live message");
    expect(resumed.of("message").map((m) => m.text)).toEqual(["two", "three", "four", "five"]);
    expect(resumed.received.every((e) => BigInt(e.id) > BigInt(m1.eventId))).toBe(true);
    resumed.stop();
  });

  it("ids that cross a power of ten (…9999, 10000…) stay in numeric order, replayed and live", async () => {
    const host = await person("Counter");
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Digits" });
    const { lastEventId } = await host.client.sessions.byId.query({ sessionId: session.id });
    // The next ids end just below the next power of ten, so that a few messages cross it.
    const [{ next }] = (await sql<{ next: string }>(
      server.database.url,
      `SELECT setval('"SessionEvent_id_seq"', power(10, length((SELECT max(id) FROM "SessionEvent")::text) + 1)::bigint - 4)::text AS next`,
    )) as [{ next: string }];
    const sent: string[] = [];
    for (let i = 1; i <= 3; i++) sent.push((await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: `before ${i}` })).eventId);
    const live = follow(host.client, { sessionId: session.id, lastEventId });
    for (let i = 1; i <= 3; i++) sent.push((await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: `after ${i}` })).eventId);
    // (The follower's presence event takes an id in between too.)
    const boundary = BigInt(next) + 4n;
    expect(boundary.toString()).toMatch(/^10+$/);
    expect(BigInt(sent[0]!) < boundary && BigInt(sent.at(-1)!) > boundary).toBe(true);
    await live.until((r) => r.some((e) => e.id === sent.at(-1)), "every message");
    const ids = live.received.filter((e) => e.event.type === "message").map((e) => e.id);
    expect(ids).toEqual(sent);
    // A replay reads them in one page: the order must be numeric, not textual.
    const replay = follow(host.client, { sessionId: session.id, lastEventId });
    await replay.until((r) => r.some((e) => e.id === sent.at(-1)), "the replay");
    expect(replay.received.filter((e) => e.event.type === "message").map((e) => e.id)).toEqual(sent);
    for (const f of [live, replay]) f.stop();
  });

  it("history pages backwards through the log, oldest first within a page", async () => {
    const host = await person("Historian");
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Archive" });
    for (let i = 1; i <= 7; i++) await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: `m${i}` });
    const page1 = await host.client.sessions.history.query({ sessionId: session.id, limit: 3, types: ["message"] });
    expect(page1.items.map((i) => (i.event.type === "message" ? i.event.text : i.event.type))).toEqual(["m5", "m6", "m7"]);
    const page2 = await host.client.sessions.history.query({ sessionId: session.id, limit: 3, types: ["message"], before: page1.nextBefore! });
    expect(page2.items.map((i) => (i.event.type === "message" ? i.event.text : ""))).toEqual(["m2", "m3", "m4"]);
    const page3 = await host.client.sessions.history.query({ sessionId: session.id, limit: 3, types: ["message"], before: page2.nextBefore! });
    expect(page3.items).toHaveLength(1);
    expect(page3.nextBefore).toBeNull();
    const all = await host.client.sessions.history.query({ sessionId: session.id, limit: 200 });
    expect(all.items[0]!.event).toMatchObject({ type: "joined", userId: host.account.user.id, role: "host" });
  });
});

describe("kinds", () => {
  it("meditation: the host drives a server-authoritative timer; everyone gets the same instants", async () => {
    const host = await person("Teacher");
    const student = await person("Student");
    const session = await host.client.sessions.create.mutate({
      kind: "meditation",
      title: "Morning sit",
      config: { durationMs: 5 * 60_000, bellIntervalMs: 60_000 },
    });
    expect(session.state).toEqual({
      kind: "meditation",
      durationMs: 300_000,
      bellIntervalMs: 60_000,
      startedAt: null,
      pausedAt: null,
      elapsedBeforePauseMs: 0,
    });
    const joined = await student.client.sessions.join.mutate({ sessionId: session.id });
    const events = follow(student.client, { sessionId: session.id, lastEventId: joined.lastEventId });

    expect(await codeOf(student.client.sessions.start.mutate({ sessionId: session.id }))).toBe("FORBIDDEN");
    const before = Date.now();
    const started = await host.client.sessions.start.mutate({ sessionId: session.id });
    expect(started.status).toBe("live");
    expect(started.startedAt).toBeInstanceOf(Date);
    const startState = started.state as { startedAt: number };
    expect(startState.startedAt).toBeGreaterThanOrEqual(before - 5);
    expect(startState.startedAt).toBeLessThanOrEqual(Date.now() + 5);
    expect(await codeOf(host.client.sessions.start.mutate({ sessionId: session.id }))).toBe("CONFLICT");
    expect(await codeOf(host.client.sessions.resume.mutate({ sessionId: session.id }))).toBe("CONFLICT");

    await new Promise((resolve) => setTimeout(resolve, 120));
    const paused = await host.client.sessions.pause.mutate({ sessionId: session.id });
    const pausedState = paused.state as { startedAt: number | null; pausedAt: number; elapsedBeforePauseMs: number };
    expect(paused.status).toBe("paused");
    expect(pausedState.startedAt).toBeNull();
    expect(pausedState.elapsedBeforePauseMs).toBe(pausedState.pausedAt - startState.startedAt);
    expect(pausedState.elapsedBeforePauseMs).toBeGreaterThanOrEqual(100);

    const resumed = await host.client.sessions.resume.mutate({ sessionId: session.id });
    expect(resumed.status).toBe("live");
    expect((resumed.state as { elapsedBeforePauseMs: number }).elapsedBeforePauseMs).toBe(pausedState.elapsedBeforePauseMs);
    await host.client.sessions.end.mutate({ sessionId: session.id });

    await events.until(() => events.of("timer").length === 4, "four timer events");
    expect(events.of("timer").map((e) => [e.action, e.status])).toEqual([
      ["start", "live"],
      ["pause", "paused"],
      ["resume", "live"],
      ["end", "ended"],
    ]);
    // The events carry the same instants the host got back.
    expect(events.of("timer")[1]!.state).toEqual(paused.state);
    expect(await codeOf(host.client.sessions.pause.mutate({ sessionId: session.id }))).toBe("PRECONDITION_FAILED");
    expect(await codeOf(student.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "hi" }))).toBe("PRECONDITION_FAILED");
    const ended = await student.client.sessions.byId.query({ sessionId: session.id });
    expect(ended).toMatchObject({ status: "ended", endedAt: expect.any(Date) });
    events.stop();
  });

  it("breathing: the host changes the pattern live and the count restarts from the change", async () => {
    const host = await person("Coach");
    const guest = await person("Breather");
    const session = await host.client.sessions.create.mutate({ kind: "breathing", title: "Box breathing" });
    expect(session.state).toMatchObject({ kind: "breathing", pattern: { inhaleMs: 4000, holdInMs: 4000, exhaleMs: 4000, holdOutMs: 4000 }, cycles: 10 });
    const joined = await guest.client.sessions.join.mutate({ sessionId: session.id });
    const events = follow(guest.client, { sessionId: session.id, lastEventId: joined.lastEventId });
    await host.client.sessions.start.mutate({ sessionId: session.id });
    const pattern = { inhaleMs: 4000, holdInMs: 7000, exhaleMs: 8000, holdOutMs: 0 };
    expect(await codeOf(guest.client.sessions.updateState.mutate({ sessionId: session.id, kind: "breathing", pattern }))).toBe("FORBIDDEN");
    const before = Date.now();
    const changed = await host.client.sessions.updateState.mutate({ sessionId: session.id, kind: "breathing", pattern, cycles: 4 });
    expect(changed.state).toMatchObject({ kind: "breathing", pattern, cycles: 4, elapsedBeforePauseMs: 0, pausedAt: null });
    expect((changed.state as { startedAt: number }).startedAt).toBeGreaterThanOrEqual(before - 5);
    await events.until(() => events.of("state").length === 1, "the pattern change");
    expect(events.of("state")[0]!.state).toEqual(changed.state);
    expect(await codeOf(host.client.sessions.updateState.mutate({ sessionId: session.id, kind: "breathing" } as never))).toBe("BAD_REQUEST");
    events.stop();
  });

  it("stress: everyone sees the live aggregate; a report of 8+ that asks for support nudges the others, not the reporter", async () => {
    const host = await person("Facilitator");
    const ann = await person("Ann");
    const bob = await person("Bob");
    const session = await host.client.sessions.create.mutate({ kind: "stress", title: "Team check-in", config: { prompt: "How are you?" } });
    const annJoin = await ann.client.sessions.join.mutate({ sessionId: session.id });
    await bob.client.sessions.join.mutate({ sessionId: session.id });
    const annEvents = follow(ann.client, { sessionId: session.id, lastEventId: annJoin.lastEventId });
    const hostEvents = follow(host.client, { sessionId: session.id, lastEventId: annJoin.lastEventId });
    await host.client.sessions.start.mutate({ sessionId: session.id });

    // Three reports: the minimum group size (STRESS_MIN_REPORTS, 3 by default) is reached.
    await host.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 6 });
    await ann.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 3, factors: ["Sleep", "deadlines"] });
    const last = await bob.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 9, factors: ["deadlines", "noise"], askForSupport: true });
    expect(last.state).toEqual({
      kind: "stress",
      prompt: "How are you?",
      aggregate: {
        count: 3,
        minReports: 3,
        withheld: false,
        mean: 6,
        distribution: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0],
        topFactors: [
          { factor: "deadlines", count: 2 },
          { factor: "noise", count: 1 },
          { factor: "sleep", count: 1 },
        ],
      },
    });
    // Ann changes her mind: only her latest report counts. A high level without asking for support names no one.
    await ann.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 9 });
    await annEvents.until(() => annEvents.of("state").length === 4, "four aggregates");
    expect(annEvents.of("state").map((e) => (e.state as { aggregate: { mean: number | null } }).aggregate.mean)).toEqual([null, null, 6, 8]);
    await annEvents.until(() => annEvents.of("nudge").length === 1, "a nudge about Bob");
    expect(annEvents.of("nudge")[0]).toMatchObject({ userId: bob.account.user.id, name: "Bob", text: expect.stringContaining("Bob") });
    await hostEvents.until(() => hostEvents.of("nudge").length === 1, "the host's nudge");

    // Bob's own stream (and his history) do not nudge him about himself.
    const bobEvents = follow(bob.client, { sessionId: session.id, lastEventId: annJoin.lastEventId });
    await bobEvents.until(() => bobEvents.of("state").length === 4, "Bob's replay");
    expect(bobEvents.of("nudge")).toEqual([]);
    const bobHistory = await bob.client.sessions.history.query({ sessionId: session.id });
    expect(bobHistory.items.some((i) => i.event.type === "nudge")).toBe(false);

    // When Bob leaves, the aggregate is of those present: two, so it is withheld again.
    await bob.client.sessions.leave.mutate({ sessionId: session.id });
    await annEvents.until(() => annEvents.of("state").length === 5, "the aggregate without Bob");
    expect(annEvents.of("state")[4]!.state).toMatchObject({ aggregate: { count: 2, withheld: true, mean: null, topFactors: [] } });
    expect(await codeOf(ann.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 11 }))).toBe("BAD_REQUEST");
    for (const f of [annEvents, hostEvents, bobEvents]) f.stop();
  });

  it("stress: below the minimum group size nobody gets the picture, by any path; the third report reveals it", async () => {
    const host = await person("Quiet Host");
    const ann = await person("Ann Two");
    const bob = await person("Bob Two");
    const cy = await person("Cy Three");
    const session = await host.client.sessions.create.mutate({ kind: "stress", title: "Small circle" });
    expect(session.state).toMatchObject({ aggregate: { count: 0, minReports: 3, withheld: true } });
    for (const p of [ann, bob, cy]) await p.client.sessions.join.mutate({ sessionId: session.id });
    const everyone = [host, ann, bob, cy];
    const streams = everyone.map((p) => follow(p.client, { sessionId: session.id, lastEventId: null }));
    await Promise.all(streams.map((f) => f.started));

    const withheld = {
      kind: "stress",
      prompt: null,
      aggregate: { count: 2, minReports: 3, withheld: true, mean: null, distribution: Array(10).fill(0), topFactors: [] },
    };
    await ann.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 2, factors: ["sleep"] });
    const second = await bob.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 9, factors: ["money"] });
    expect(second.state).toEqual(withheld);

    // Two reports: each of the two could subtract their own and read the other's, so no one gets a level or a factor:
    // not the reporters, not the host, not a bystander; not live, not on reload, not in the history, not in the stored rows.
    for (const [i, p] of everyone.entries()) {
      await streams[i]!.until((r) => r.filter((e) => e.event.type === "state").length === 2, `${p.account.user.name}'s two state events`);
      for (const event of streams[i]!.of("state")) expect(event.state).toMatchObject({ aggregate: { withheld: true, mean: null, topFactors: [] } });
      expect(streams[i]!.of("state")[1]!.state).toEqual(withheld);
      expect((await p.client.sessions.byId.query({ sessionId: session.id })).state).toEqual(withheld);
      const history = await p.client.sessions.history.query({ sessionId: session.id, types: ["state"] });
      expect(history.items.map((item) => item.event)).toEqual(streams[i]!.of("state").map((e) => expect.objectContaining({ state: e.state })));
    }
    const stored = await sql<{ payload: string }>(
      server.database.url,
      `SELECT payload::text FROM "SessionEvent" WHERE "sessionId" = $1 AND type = 'state'
       UNION ALL SELECT state::text FROM "LiveSession" WHERE id = $1`,
      [session.id],
    );
    expect(stored).toHaveLength(3);
    for (const row of stored) expect(row.payload).not.toMatch(/money|sleep|"mean": ?[0-9]/);

    // The third report reveals the picture to everyone at once.
    const third = await cy.client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: 4, factors: ["money"] });
    const revealed = {
      count: 3,
      minReports: 3,
      withheld: false,
      mean: 5,
      distribution: [0, 1, 0, 1, 0, 0, 0, 0, 1, 0],
      topFactors: [
        { factor: "money", count: 2 },
        { factor: "sleep", count: 1 },
      ],
    };
    expect(third.state).toEqual({ ...withheld, aggregate: revealed });
    for (const [i, p] of everyone.entries()) {
      await streams[i]!.until((r) => r.filter((e) => e.event.type === "state").length === 3, `${p.account.user.name}'s third state event`);
      expect(streams[i]!.of("state")[2]!.state).toMatchObject({ aggregate: revealed });
      expect((await p.client.sessions.byId.query({ sessionId: session.id })).state).toMatchObject({ aggregate: revealed });
    }
    for (const f of streams) f.stop();
  });

  it("stress: the minimum group size comes from STRESS_MIN_REPORTS", async () => {
    const strict = await startTestServer({ stressMinReports: 4 });
    try {
      const people = await Promise.all(["Dee", "Eve", "Fay", "Gil"].map(async (name) => strict.client((await signUp(strict, name)).token)));
      const session = await people[0]!.sessions.create.mutate({ kind: "stress", title: "Four needed" });
      for (const client of people.slice(1)) await client.sessions.join.mutate({ sessionId: session.id });
      let last;
      for (const [i, client] of people.entries()) {
        last = await client.sessions.updateState.mutate({ sessionId: session.id, kind: "stress", level: i + 1 });
        if (i < 3) expect(last.state).toMatchObject({ aggregate: { count: i + 1, minReports: 4, withheld: true, mean: null } });
      }
      expect(last!.state).toMatchObject({ aggregate: { count: 4, minReports: 4, withheld: false, mean: 2.5 } });
    } finally {
      await strict.stop();
    }
  });

  it("collaboration: concurrent edits from two clients both survive, are persisted and load for a late joiner", async () => {
    const host = await person("Writer One");
    const other = await person("Writer Two");
    const late = await person("Latecomer");
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Shared notes" });
    await other.client.sessions.join.mutate({ sessionId: session.id });

    /** A Yjs document bound to the session: local edits are sent, remote ones applied. */
    async function bind(client: PulseClient) {
      const doc = new Y.Doc();
      const view = await client.sessions.byId.query({ sessionId: session.id });
      Y.applyUpdate(doc, Buffer.from(view.doc!, "base64"), "remote");
      const events = follow(client, { sessionId: session.id, lastEventId: view.lastEventId });
      const applied = new Set<string>();
      const pending: Promise<unknown>[] = [];
      doc.on("update", (update: Uint8Array, origin: unknown) => {
        if (origin === "remote") return;
        pending.push(client.sessions.updateState.mutate({ sessionId: session.id, kind: "collaboration", update: Buffer.from(update).toString("base64") }));
      });
      const timer = setInterval(() => {
        for (const { id, event } of events.received) {
          if (event.type !== "doc" || applied.has(id)) continue;
          applied.add(id);
          Y.applyUpdate(doc, Buffer.from(event.update, "base64"), "remote");
        }
      }, 10);
      return { doc, text: doc.getText("body"), events, pending, stop: () => (clearInterval(timer), events.stop()) };
    }

    const a = await bind(host.client);
    const b = await bind(other.client);
    await Promise.all([a.events.started, b.events.started]);
    // Both type at once, each before seeing the other's keystrokes.
    a.text.insert(0, "Hello from A. ");
    b.text.insert(0, "Greetings from B. ");
    a.text.insert(a.text.length, "A again.");
    b.text.insert(b.text.length, "B again.");
    await Promise.all([...a.pending, ...b.pending]);
    await eventually(() => a.text.toString() === b.text.toString() && a.text.length > 40, "both documents to converge");
    for (const piece of ["Hello from A. ", "Greetings from B. ", "A again.", "B again."]) expect(a.text.toString()).toContain(piece);
    const final = a.text.toString();

    // A late joiner loads the merged document from the server.
    await late.client.sessions.join.mutate({ sessionId: session.id });
    const c = await bind(late.client);
    expect(c.text.toString()).toBe(final);

    // Compaction: with a low threshold, loading writes a snapshot; the document is unchanged.
    server.pulse.services.sessions.settings.compactAfterUpdates = 2;
    try {
      const loaded = await late.client.sessions.byId.query({ sessionId: session.id });
      const fresh = new Y.Doc();
      Y.applyUpdate(fresh, Buffer.from(loaded.doc!, "base64"));
      expect(fresh.getText("body").toString()).toBe(final);
      const [snapshot] = await sql<{ through: string }>(server.database.url, `SELECT "throughEventId"::text AS through FROM "SessionDoc" WHERE "sessionId" = $1`, [session.id]);
      expect(BigInt(snapshot!.through)).toBeGreaterThan(0n);
      // An edit after the snapshot is still part of the document.
      c.text.insert(0, "C: ");
      await Promise.all(c.pending);
      await eventually(() => a.text.toString() === `C: ${final}`, "A to see C's edit");
      const again = await other.client.sessions.byId.query({ sessionId: session.id });
      const reloaded = new Y.Doc();
      Y.applyUpdate(reloaded, Buffer.from(again.doc!, "base64"));
      expect(reloaded.getText("body").toString()).toBe(`C: ${final}`);
    } finally {
      server.pulse.services.sessions.settings.compactAfterUpdates = 100;
    }
    for (const bound of [a, b, c]) bound.stop();
  });
});

describe("help requests", () => {
  it("reach the host in the session and every online admin at once, and are audited", async () => {
    const host = await person("Host");
    const worried = await person("Worried Walter");
    const session = await host.client.sessions.create.mutate({ kind: "meditation", title: "Evening", visibility: "private" });
    const joined = await worried.client.sessions.join.mutate({ sessionId: session.id, inviteCode: session.inviteCode! });
    const hostEvents = follow(host.client, { sessionId: session.id, lastEventId: joined.lastEventId });
    const adminClient = server.client(admin.token);
    const inbox = follow(adminClient, {});
    await Promise.all([hostEvents.started, inbox.started]);
    expect(await subscriptionError(host.client, {})).toBe("FORBIDDEN");

    const { eventId } = await worried.client.sessions.requestHelp.mutate({ sessionId: session.id, note: "I feel dizzy" });
    const expected = {
      type: "help",
      priority: "high",
      sessionId: session.id,
      sessionTitle: "Evening",
      userId: worried.account.user.id,
      name: "Worried Walter",
      note: "I feel dizzy",
      at: expect.any(Date),
    };
    await hostEvents.until((r) => r.some((e) => e.id === eventId), "the host's help event");
    expect(hostEvents.received.find((e) => e.id === eventId)!.event).toEqual(expected);
    await inbox.until((r) => r.length === 1, "the admin's help event");
    expect(inbox.received[0]!.event).toEqual(expected);

    const [audit] = await sql<{ action: string; actorId: string; target: string }>(
      server.database.url,
      `SELECT action, "actorId"::text AS "actorId", target FROM "AuditLog" WHERE action = 'sessions.requestHelp' AND target = $1`,
      [session.id],
    );
    expect(audit).toEqual({ action: "sessions.requestHelp", actorId: worried.account.user.id, target: session.id });

    // An admin who was offline catches up from their last id.
    inbox.stop();
    const { eventId: second } = await worried.client.sessions.requestHelp.mutate({ sessionId: session.id });
    const resumed = follow(adminClient, { lastEventId: inbox.received[0]!.id });
    await resumed.until((r) => r.length === 1, "the missed help request");
    expect(resumed.received[0]!.event).toMatchObject({ note: "", userId: worried.account.user.id });
    await hostEvents.until((r) => r.some((e) => e.id === second), "the second help event");
    for (const f of [hostEvents, resumed]) f.stop();
  });
});

describe("listing and visibility", () => {
  it("lists public sessions and mine, filtered and paginated; private ones stay private", async () => {
    const owner = await person("Lister");
    const stranger = await person("Stranger");
    const publicOne = await owner.client.sessions.create.mutate({ kind: "breathing", title: "Public breath" });
    const privateOne = await owner.client.sessions.create.mutate({ kind: "breathing", title: "Private breath", visibility: "private" });
    expect(privateOne.inviteCode).toMatch(/^[A-Z2-9]{10}$/);
    expect(publicOne.inviteCode).toBeNull();

    const mine = await owner.client.sessions.list.query({ kind: "breathing", limit: 100 });
    expect(mine.items.map((s) => s.id)).toEqual(expect.arrayContaining([publicOne.id, privateOne.id]));
    expect(mine.items.find((s) => s.id === privateOne.id)).toMatchObject({ joined: true, participantCount: 1, hostName: "Lister", inviteCode: privateOne.inviteCode });

    const theirs = await stranger.client.sessions.list.query({ kind: "breathing", limit: 100 });
    expect(theirs.items.map((s) => s.id)).toContain(publicOne.id);
    expect(theirs.items.map((s) => s.id)).not.toContain(privateOne.id);
    expect(theirs.items.every((s) => s.inviteCode === null)).toBe(true);
    expect(await codeOf(stranger.client.sessions.byId.query({ sessionId: privateOne.id }))).toBe("FORBIDDEN");
    expect(await codeOf(stranger.client.sessions.history.query({ sessionId: privateOne.id }))).toBe("FORBIDDEN");
    expect(await codeOf(stranger.client.sessions.history.query({ sessionId: publicOne.id }))).toBe("FORBIDDEN"); // join to read

    const live = await owner.client.sessions.list.query({ status: "live" });
    expect(live.items.every((s) => s.status === "live")).toBe(true);

    // Pagination walks every item once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      // As tRPC's infinite queries send it: the cursor (null on the first page) and a direction.
      const page: { items: { id: string }[]; nextCursor: string | null } = await owner.client.sessions.list.query({ limit: 2, cursor, direction: "forward" });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([publicOne.id, privateOne.id]));
    expect(await codeOf(server.client().sessions.list.query({}))).toBe("UNAUTHORIZED");
    const backward = owner.client.sessions.list.query({ cursor: seen[1], direction: "backward" as "forward" });
    await expect(backward).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/forward only/) });
  });
});

describe("bad input gets its proper error and writes nothing", () => {
  let host: Awaited<ReturnType<typeof person>>;
  let guest: Awaited<ReturnType<typeof person>>;
  let outsider: Awaited<ReturnType<typeof person>>;
  beforeAll(async () => {
    host = await person("Strict Host");
    guest = await person("Guest");
    outsider = await person("Outsider");
  });

  /** Runs `call`, expects `code`, and checks that no sessions table (nor the audit log) changed. */
  async function refused(call: () => Promise<unknown>, code: string) {
    const before = await sessionRowCounts(server.database.url);
    expect(await codeOf(call())).toBe(code);
    expect(await sessionRowCounts(server.database.url)).toEqual(before);
  }

  it("a message over 2,000 characters, an empty one, or from someone who has not joined", async () => {
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Limits" });
    await refused(() => host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "x".repeat(2001) }), "BAD_REQUEST");
    await refused(() => host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "   " }), "BAD_REQUEST");
    await refused(() => outsider.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "let me in" }), "FORBIDDEN");
    // Exactly 2,000 is fine.
    expect((await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "y".repeat(2000) })).eventId).toMatch(/^\d+$/);
    const error = await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "x".repeat(2001) }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("at most 2,000 characters");
  });

  it("a message or help request to a session one is not in, that has ended, or that does not exist", async () => {
    const session = await host.client.sessions.create.mutate({ kind: "stress", title: "Closing soon" });
    const missing = "00000000-0000-4000-8000-000000000000";
    await refused(() => outsider.client.sessions.requestHelp.mutate({ sessionId: session.id, note: "me?" }), "FORBIDDEN");
    await refused(() => host.client.sessions.sendMessage.mutate({ sessionId: missing, text: "anyone?" }), "NOT_FOUND");
    await refused(() => host.client.sessions.requestHelp.mutate({ sessionId: missing }), "NOT_FOUND");
    await host.client.sessions.end.mutate({ sessionId: session.id });
    await refused(() => host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "too late" }), "PRECONDITION_FAILED");
    await refused(() => host.client.sessions.requestHelp.mutate({ sessionId: session.id }), "PRECONDITION_FAILED");
  });

  it("a message that waits on a busy session's lock past the limit is refused (TOO_MANY_REQUESTS) and writes nothing", async () => {
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Jammed" });
    const settings = server.pulse.services.sessions.settings;
    const blocker = new pg.Client({ connectionString: server.database.url });
    await blocker.connect();
    settings.writeLockTimeoutMs = 300;
    try {
      // Another writer holds the session's lock (the namespace and key `change()` and `appendEvent` use).
      await blocker.query("BEGIN");
      await blocker.query("SELECT pg_advisory_xact_lock($1::int4, hashtext($2))", [0x5345_5353, session.id]);
      await refused(() => host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "stuck" }), "TOO_MANY_REQUESTS");
      await blocker.query("ROLLBACK");
      expect((await host.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "through" })).eventId).toMatch(/^\d+$/);
    } finally {
      settings.writeLockTimeoutMs = 15_000;
      await blocker.end();
    }
  });

  it("a state update of the wrong kind, or a malformed document update", async () => {
    const breathing = await host.client.sessions.create.mutate({ kind: "breathing", title: "Wrong kind" });
    const meditation = await host.client.sessions.create.mutate({ kind: "meditation", title: "No updates" });
    const collaboration = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Doc" });
    await refused(() => host.client.sessions.updateState.mutate({ sessionId: breathing.id, kind: "stress", level: 5 }), "BAD_REQUEST");
    await refused(() => host.client.sessions.updateState.mutate({ sessionId: meditation.id, kind: "stress", level: 5 }), "BAD_REQUEST");
    await refused(() => host.client.sessions.updateState.mutate({ sessionId: meditation.id, kind: "meditation" } as never), "BAD_REQUEST");
    await refused(
      () => host.client.sessions.updateState.mutate({ sessionId: breathing.id, kind: "collaboration", update: Buffer.from([0, 0]).toString("base64") }),
      "BAD_REQUEST",
    );
    await refused(
      () => host.client.sessions.updateState.mutate({ sessionId: collaboration.id, kind: "collaboration", update: Buffer.from("not yjs at all").toString("base64") }),
      "BAD_REQUEST",
    );
    await refused(() => host.client.sessions.updateState.mutate({ sessionId: collaboration.id, kind: "collaboration", update: "%%%%" }), "BAD_REQUEST");
    const error = await host.client.sessions.updateState.mutate({ sessionId: breathing.id, kind: "stress", level: 5 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("This is a breathing session: a stress update does not apply to it.");
  });

  it("joining a full session or an ended one", async () => {
    const small = await host.client.sessions.create.mutate({ kind: "stress", title: "Two seats", capacity: 2 });
    await guest.client.sessions.join.mutate({ sessionId: small.id });
    await refused(() => outsider.client.sessions.join.mutate({ sessionId: small.id }), "CONFLICT");
    // Joining again when already in is not an error and writes nothing either.
    const before = await sessionRowCounts(server.database.url);
    await guest.client.sessions.join.mutate({ sessionId: small.id });
    expect(await sessionRowCounts(server.database.url)).toEqual(before);

    const over = await host.client.sessions.create.mutate({ kind: "stress", title: "Over" });
    await host.client.sessions.end.mutate({ sessionId: over.id });
    await refused(() => outsider.client.sessions.join.mutate({ sessionId: over.id }), "PRECONDITION_FAILED");
  });

  it("a wrong or missing invite code", async () => {
    const secret = await host.client.sessions.create.mutate({ kind: "collaboration", title: "Secret", visibility: "private" });
    await refused(() => outsider.client.sessions.join.mutate({ sessionId: secret.id, inviteCode: "WRONGCODE1" }), "FORBIDDEN");
    await refused(() => outsider.client.sessions.join.mutate({ sessionId: secret.id }), "FORBIDDEN");
    const joined = await outsider.client.sessions.join.mutate({ sessionId: secret.id, inviteCode: secret.inviteCode!.toLowerCase() });
    expect(joined.me).toEqual({ role: "participant" });
    expect(joined.inviteCode).toBeNull(); // only the host sees the code
  });

  it("a non-host starting, pausing, resuming or ending the timer", async () => {
    const session = await host.client.sessions.create.mutate({ kind: "meditation", title: "Mine to run" });
    await guest.client.sessions.join.mutate({ sessionId: session.id });
    for (const action of ["start", "pause", "resume", "end"] as const) {
      await refused(() => guest.client.sessions[action].mutate({ sessionId: session.id }), "FORBIDDEN");
    }
    await refused(() => host.client.sessions.pause.mutate({ sessionId: session.id }), "CONFLICT");
  });

  it("subscribing to a private session one has not joined (or any session one is not in)", async () => {
    const secret = await host.client.sessions.create.mutate({ kind: "stress", title: "Closed circle", visibility: "private" });
    const open = await host.client.sessions.create.mutate({ kind: "stress", title: "Open circle" });
    const before = await sessionRowCounts(server.database.url);
    expect(await subscriptionError(outsider.client, { sessionId: secret.id })).toBe("FORBIDDEN");
    expect(await subscriptionError(outsider.client, { sessionId: open.id })).toBe("FORBIDDEN");
    expect(await subscriptionError(outsider.client, { sessionId: "00000000-0000-4000-8000-000000000000" })).toBe("NOT_FOUND");
    expect(await subscriptionError(outsider.client, { sessionId: open.id, lastEventId: "not-a-number" })).toBe("BAD_REQUEST");
    expect(await sessionRowCounts(server.database.url)).toEqual(before);
  });

  it("creating with a config that does not fit the kind", async () => {
    await refused(() => host.client.sessions.create.mutate({ kind: "meditation", title: "Too short", config: { durationMs: 1000 } }), "BAD_REQUEST");
    await refused(
      () => host.client.sessions.create.mutate({ kind: "breathing", title: "Bad", config: { durationMs: 60_000 } } as never),
      "BAD_REQUEST",
    );
    await refused(() => host.client.sessions.create.mutate({ kind: "stress", title: "", capacity: 1 }), "BAD_REQUEST");
    await refused(
      () => host.client.sessions.create.mutate({ kind: "meditation", title: "Bell", config: { durationMs: 60_000, bellIntervalMs: 120_000 } }),
      "BAD_REQUEST",
    );
  });
});
