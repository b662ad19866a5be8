/** The typed client for programs (src/trpc/client.ts): HTTP batching, lazy WebSocket, tokens. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPulseClient } from "@/trpc/client";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually } from "./support/raw";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function metricsText() {
  return (await fetch(`${server.url}/metrics`)).text();
}
/** Sum of every pulse_http_requests_total sample for tRPC over HTTP. */
function trpcHttpRequests(text: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith('pulse_http_requests_total{route="trpc"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}
function openSockets(text: string): number {
  const line = text.split("\n").find((l) => l.startsWith("pulse_websocket_connections "));
  return Number(line!.slice(line!.indexOf(" ") + 1));
}

describe("createPulseClient", () => {
  it("batches queries made together into one HTTP request, and opens no WebSocket for them", async () => {
    const account = await signUp(server);
    const client = createPulseClient({ url: server.url, token: account.token });
    try {
      const before = await metricsText();
      const [me, ping, sessions] = await Promise.all([client.auth.me.query(), client.health.ping.query(), client.auth.sessions.query()]);
      expect(me?.id).toBe(account.user.id);
      expect(ping.time).toBeGreaterThan(0);
      expect(sessions.length).toBeGreaterThan(0);
      const after = await metricsText();
      expect(trpcHttpRequests(after) - trpcHttpRequests(before)).toBe(1);
      expect(openSockets(after)).toBe(openSockets(before));
    } finally {
      await client.close();
    }
  });

  it("opens its WebSocket for a subscription, and close() closes it", async () => {
    const client = createPulseClient({ url: server.url });
    const before = openSockets(await metricsText());
    let events = 0;
    const subscription = client.health.live.subscribe(undefined, { onData: () => void events++ });
    await eventually(() => events > 0, "a snapshot");
    expect(openSockets(await metricsText())).toBe(before + 1);
    subscription.unsubscribe();
    await client.close();
    await eventually(async () => openSockets(await metricsText()) === before, "the socket to close");
  });

  it("asks a token function on each call", async () => {
    const first = await signUp(server, "First");
    const second = await signUp(server, "Second");
    let current: string | undefined = first.token;
    const client = createPulseClient({ url: server.url, token: () => current });
    try {
      expect((await client.auth.me.query())?.id).toBe(first.user.id);
      current = second.token;
      expect((await client.auth.me.query())?.id).toBe(second.user.id);
      current = undefined;
      expect(await client.auth.me.query()).toBeNull();
    } finally {
      await client.close();
    }
  });

  it("keeps Dates as Dates (superjson) over HTTP and WebSocket", async () => {
    const account = await signUp(server);
    const client = createPulseClient({ url: server.url, token: account.token });
    try {
      expect((await client.auth.me.query())?.createdAt).toBeInstanceOf(Date);
      const snapshot = await new Promise<{ at: Date }>((resolve, reject) => {
        const subscription = client.health.live.subscribe(undefined, {
          onData: (data) => {
            subscription.unsubscribe();
            resolve(data);
          },
          onError: reject,
        });
      });
      expect(snapshot.at).toBeInstanceOf(Date);
    } finally {
      await client.close();
    }
  });
});
