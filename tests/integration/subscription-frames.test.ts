/**
 * What a WebSocket subscriber receives, byte for byte. After a subscription's first event, its
 * events are written straight to its socket (src/server/trpc/wire.ts); these frames must be the
 * ones tRPC's adapter would have written — under each subscription's own id, with `jsonrpc` when
 * the request had it — and stopping a subscription must stop them.
 */
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually } from "./support/raw";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

interface Frame {
  text: string;
  message: { id: string | number; jsonrpc?: string; result?: { type: string; id?: string; data?: unknown }; error?: unknown };
}

async function openSocket(token: string) {
  const url = new URL("/api/ws?connectionParams=1", server.url);
  url.protocol = "ws:";
  const ws = new WebSocket(url);
  const frames: Frame[] = [];
  ws.on("message", (raw) => {
    const text = raw.toString();
    if (text !== "PING" && text !== "PONG") frames.push({ text, message: JSON.parse(text) });
  });
  await new Promise<void>((resolve, reject) => ws.once("open", resolve).once("error", reject));
  ws.send(JSON.stringify({ method: "connectionParams", data: { token } }));
  return { ws, frames, of: (id: string | number) => frames.filter((f) => f.message.id === id) };
}

describe("subscription frames over WebSocket", () => {
  it("every event reaches each subscription under its own id, exactly as tRPC writes it, until it is stopped", async () => {
    const host = await signUp(server, "Frame Host");
    const client = server.client(host.token);
    const session = await client.sessions.create.mutate({ kind: "collaboration", title: "Frames" });
    const { lastEventId } = await client.sessions.byId.query({ sessionId: session.id });

    const socket = await openSocket(host.token);
    const input = superjson.serialize({ sessionId: session.id, lastEventId });
    // Two subscriptions on one socket: a string id with jsonrpc, a numeric id without.
    socket.ws.send(JSON.stringify({ id: "a", jsonrpc: "2.0", method: "subscription", params: { path: "sessions.events", input } }));
    socket.ws.send(JSON.stringify({ id: 2, method: "subscription", params: { path: "sessions.events", input } }));
    await eventually(() => socket.of("a").length > 0 && socket.of(2).length > 0, "both subscriptions to start");
    expect(socket.of("a")[0]!.text).toBe('{"id":"a","jsonrpc":"2.0","result":{"type":"started"}}');
    expect(socket.of(2)[0]!.text).toBe('{"id":2,"result":{"type":"started"}}');

    const texts = ["first", "second — «unicode» \"quotes\"", "third"];
    const sent: string[] = [];
    for (const text of texts) sent.push((await client.sessions.sendMessage.mutate({ sessionId: session.id, text })).eventId);

    const messagesOf = (id: string | number) =>
      socket
        .of(id)
        .filter((f) => f.message.result?.type === "data")
        .map((f) => ({ frame: f, envelope: superjson.deserialize(f.message.result!.data as never) as { id: string; data: { type: string; text?: string; at: Date } } }))
        .filter(({ envelope }) => envelope.data.type === "message");
    await eventually(() => messagesOf("a").length === 3 && messagesOf(2).length === 3, "three messages on both subscriptions");

    for (const [id, jsonrpc] of [["a", "2.0"], [2, undefined]] as const) {
      const received = messagesOf(id);
      expect(received.map((r) => r.envelope.id)).toEqual(sent);
      expect(received.map((r) => r.envelope.data.text)).toEqual(texts);
      for (const { frame, envelope } of received) {
        // The exact bytes tRPC's JSON encoder would write for this response.
        expect(frame.text).toBe(JSON.stringify({ id, jsonrpc, result: { type: "data", data: frame.message.result!.data, id: envelope.id } }));
        expect(envelope.data.at).toBeInstanceOf(Date);
      }
    }

    // Stopping one subscription: tRPC confirms, and its events stop; the other goes on.
    socket.ws.send(JSON.stringify({ id: "a", jsonrpc: "2.0", method: "subscription.stop" }));
    await eventually(() => socket.of("a").some((f) => f.message.result?.type === "stopped"), "the stop to be confirmed");
    const framesOfA = socket.of("a").length;
    const after = await client.sessions.sendMessage.mutate({ sessionId: session.id, text: "after the stop" });
    await eventually(() => messagesOf(2).some((r) => r.envelope.id === after.eventId), "the message after the stop on the other subscription");
    expect(socket.of("a").length).toBe(framesOfA);
    expect(socket.frames.some((f) => f.message.error)).toBe(false);
    socket.ws.close();
  });
});
