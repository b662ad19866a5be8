/**
 * Fan-out on the fast path: a room larger than one delivery chunk, on two instances, written to
 * from both. Once a WebSocket subscription has caught up, its events are written by each
 * instance's hub straight to the socket, one pre-built frame per event and subscription id
 * (src/server/trpc/wire.ts): every socket must still get every event once, in order, framed
 * exactly as tRPC would, whichever id it subscribed under — and one that drops out and resumes
 * on the other instance must get the rest with no gap and no duplicate.
 */
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually, sql } from "../integration/support/raw";

let first: TestServer;
let second: TestServer;

beforeAll(async () => {
  first = await startTestServer();
  second = await startTestServer({}, first.database);
  await signUp(first, "Admin"); // the first account is the admin
});
afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

type SubscriptionId = string | number;

/** A socket following `sessions.events` by hand, keeping the id of each chat message it gets. */
async function rawFollower(server: TestServer, token: string, sessionId: string, lastEventId: string, id: SubscriptionId, jsonrpc?: "2.0") {
  const url = new URL("/api/ws?connectionParams=1", server.url);
  url.protocol = "ws:";
  const ws = new WebSocket(url);
  const messages: string[] = [];
  const misframed: string[] = [];
  let started = false;
  ws.on("message", (raw) => {
    const text = raw.toString();
    if (text === "PING") return ws.send("PONG");
    const message = JSON.parse(text) as { id?: SubscriptionId; result?: { type: string; id?: string; data?: unknown } };
    if (message.id !== id || !message.result) return;
    if (message.result.type === "started") started = true;
    if (message.result.type !== "data") return;
    // Byte for byte what tRPC's encoder writes for this response.
    if (text !== JSON.stringify({ id, jsonrpc, result: { type: "data", data: message.result.data, id: message.result.id } })) misframed.push(text);
    const envelope = superjson.deserialize(message.result.data as never) as { id: string; data: { type: string } };
    if (envelope.data.type === "message") messages.push(envelope.id);
  });
  await new Promise<void>((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  ws.send(JSON.stringify({ id, jsonrpc, method: "subscription", params: { path: "sessions.events", input: superjson.serialize({ sessionId, lastEventId }) } }));
  await eventually(() => started, "the subscription to start");
  return { ws, messages, misframed, last: () => messages.at(-1) ?? lastEventId };
}

describe("fan-out on the fast path", () => {
  it("a room of 150 sockets on two instances gets every message once and in order from both writers; one that resumes on the other instance misses nothing", async () => {
    const host = await signUp(first, "Fan-out host");
    const guests = await Promise.all([signUp(first, "Guest one"), signUp(second, "Guest two")]);
    const session = await first.client(host.token).sessions.create.mutate({ kind: "collaboration", title: "Fan-out" });
    const start = (await first.client(host.token).sessions.byId.query({ sessionId: session.id })).lastEventId;
    for (const guest of guests) await second.client(guest.token).sessions.join.mutate({ sessionId: session.id });
    const { lastEventId } = await first.client(host.token).sessions.byId.query({ sessionId: session.id });
    expect(lastEventId).not.toBe(start);

    // 75 sockets per instance (more than one delivery chunk of 100 in all); most share id 1, as
    // browsers' first subscriptions do; some have ids of their own, with and without jsonrpc.
    const people = [host, ...guests];
    const followers = await Promise.all(
      Array.from({ length: 150 }, (_, i) => {
        const id: SubscriptionId = i % 10 === 0 ? `s${i}` : i % 10 === 1 ? i : 1;
        return rawFollower(i % 2 ? second : first, people[i % 3]!.token, session.id, lastEventId, id, i % 4 === 0 ? "2.0" : undefined);
      }),
    );

    // Both instances write at once: 20 messages each, interleaved by the database.
    const send = (server: TestServer, token: string, label: string) => async () => {
      for (let n = 0; n < 20; n++) await server.client(token).sessions.sendMessage.mutate({ sessionId: session.id, text: `${label} ${n}` });
    };
    const writing = Promise.all([send(first, host.token, "first")(), send(second, guests[1]!.token, "second")()]);

    // Midway, ten sockets drop and resume on the other instance from the last id they saw.
    await eventually(() => followers.every((f) => f.messages.length >= 10), "ten messages everywhere", 20_000);
    const resumed = await Promise.all(
      followers.slice(0, 10).map(async (follower, i) => {
        follower.ws.terminate();
        const before = [...follower.messages];
        const again = await rawFollower(i % 2 ? first : second, people[i % 3]!.token, session.id, before.at(-1)!, 7);
        return { before, again };
      }),
    );
    await writing;

    const stored = (
      (await sql<{ id: string }>(
        first.database.url,
        `SELECT id::text FROM "SessionEvent" WHERE "sessionId" = $1 AND type = 'message' ORDER BY "SessionEvent".id`,
        [session.id],
      )) as { id: string }[]
    ).map((row) => row.id);
    expect(stored).toHaveLength(40);
    const staying = followers.slice(10);
    await eventually(() => staying.every((f) => f.messages.length === 40) && resumed.every((r) => r.before.length + r.again.messages.length === 40), "all 40 everywhere", 20_000);
    for (const follower of staying) {
      expect(follower.messages).toEqual(stored);
      expect(follower.misframed).toEqual([]);
    }
    for (const { before, again } of resumed) {
      expect([...before, ...again.messages]).toEqual(stored);
      expect(again.misframed).toEqual([]);
    }
    for (const follower of [...staying, ...resumed.map((r) => r.again)]) follower.ws.close();
  });
});
