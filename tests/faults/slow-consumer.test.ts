/**
 * A slow consumer, on purpose: a reader that stops reading its WebSocket while ~300 KB document
 * updates keep coming. Past WS_PAUSE_BYTES the server stops writing to it (and catches it up from
 * the log once it reads again); past SLOW_CONSUMER_BYTES it closes the socket with 4013 and the
 * client resumes. Heavy (tens of megabytes through one socket), so it runs in the fault suite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { metrics } from "@/server/metrics/index";
import { CLOSE_TOO_SLOW } from "@/shared/api";
import type { PulseClient } from "@/trpc/client";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually, sql } from "../integration/support/raw";
import { follow } from "../integration/support/sessions";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await signUp(server, "Ada Admin"); // the first account is the admin
});
afterAll(() => server?.stop());

async function person(name: string): Promise<{ client: PulseClient }> {
  const account = await signUp(server, name);
  return { client: server.client(account.token) };
}

describe("a slow consumer", () => {
  /** A session in which a host sends ~300 KB document updates, and a raw socket following it that has stopped reading. */
  async function pausedReader(title: string) {
    const host = await person(`${title} host`);
    const slow = await signUp(server, `${title} reader`);
    const session = await host.client.sessions.create.mutate({ kind: "collaboration", title });
    const { RawSocket } = await import("../integration/support/raw");
    const joined = await server.client(slow.token).sessions.join.mutate({ sessionId: session.id });
    const raw = await RawSocket.open(server.url, { token: slow.token });
    await raw.call("query", "auth.me");
    const docIds: string[] = [];
    let started = false;
    raw.ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: { type: string; data?: { json?: { id: string; data: { type: string } } } } };
      if (message.id !== 99) return;
      if (message.result?.type === "started") started = true;
      const envelope = message.result?.data?.json;
      if (envelope?.data.type === "doc") docIds.push(envelope.id);
    });
    raw.ws.send(JSON.stringify({ id: 99, method: "subscription", params: { path: "sessions.events", input: { json: { sessionId: session.id, lastEventId: joined.lastEventId } } } }));
    await eventually(() => started, "the subscription to start");
    const tcp = (raw.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    const doc = new Y.Doc();
    const text = doc.getText("body");
    const updates: string[] = [];
    doc.on("update", (update: Uint8Array) => updates.push(Buffer.from(update).toString("base64")));
    const sendUpdate = async (i: number) => {
      text.insert(text.length, `${i}:${"z".repeat(300_000)}`);
      await host.client.sessions.updateState.mutate({ sessionId: session.id, kind: "collaboration", update: updates.at(-1)! });
    };
    const storedDocIds = async () =>
      ((await sql<{ id: string }>(server.database.url, `SELECT id::text FROM "SessionEvent" WHERE "sessionId" = $1 AND type = 'doc' ORDER BY "SessionEvent".id`, [session.id])) as { id: string }[]).map((r) => r.id);
    return { raw, tcp, docIds, sendUpdate, storedDocIds, slow, session, joined };
  }

  it("past WS_PAUSE_BYTES it is not written to, so the server holds little for it; once it reads again it gets everything on the same socket, in order, once", async () => {
    const { raw, tcp, docIds, sendUpdate, storedDocIds } = await pausedReader("Paused reader");
    const closes = async () => (await metrics.wsSlowClosed.get()).values[0]?.value ?? 0;
    const before = await closes();
    // 60 updates of ~300 KB (18 MB) to a reader that takes none: were they all buffered for it,
    // the socket would pass SLOW_CONSUMER_BYTES (4 MB) and be closed.
    for (let i = 0; i < 60; i++) await sendUpdate(i);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await closes()).toBe(before);
    tcp.resume();
    const stored = await storedDocIds();
    expect(stored).toHaveLength(60);
    await eventually(() => docIds.length >= 60, "every update after reading again", 20_000);
    expect(docIds).toEqual(stored);
    expect(raw.ws.readyState).toBe(raw.ws.OPEN);
    expect(await closes()).toBe(before);
    raw.close();
  });

  it("past SLOW_CONSUMER_BYTES its socket is closed with a resume hint, and resuming covers what it missed", async () => {
    const { raw, tcp, sendUpdate, storedDocIds, slow, session, joined } = await pausedReader("Closed reader");
    const config = server.pulse.app.config;
    // One update's frame (~300 KB) is past a close limit this low: the next event finds the socket over it.
    config.slowConsumerBytes = 280 * 1024;
    try {
      // The kernel's socket buffers take the first several megabytes; then the server's own fill.
      const closes = async () => (await metrics.wsSlowClosed.get()).values[0]?.value ?? 0;
      const before = await closes();
      for (let i = 0; i < 60 && (await closes()) === before; i++) await sendUpdate(i);
      expect(await closes()).toBe(before + 1);
      // Reading again within the grace period, it gets what was buffered, then the close frame.
      tcp.resume();
      const closed = await raw.closed;
      expect(closed.code).toBe(CLOSE_TOO_SLOW);
      expect(closed.reason).toMatch(/resume/);
    } finally {
      config.slowConsumerBytes = 4 * 1024 * 1024;
    }
    // The reader comes back and resumes from where it was: every update is there, once.
    const resumed = follow(server.client(slow.token), { sessionId: session.id, lastEventId: joined.lastEventId });
    const stored = await storedDocIds();
    await resumed.until(() => resumed.of("doc").length === stored.length, "every document update", 20_000);
    expect(resumed.of("doc").length).toBe(stored.length);
    resumed.stop();
  });
});
