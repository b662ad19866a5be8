/**
 * Two instances behind a load balancer (here: a TCP proxy that sends each new connection to the
 * first instance while it answers, else to the second), and the first is stopped while clients
 * follow a live session and messages keep coming. Its clients are told to reconnect, land on the
 * second instance, resume from their last event id, and miss nothing: every acknowledged message
 * arrives exactly once, in order.
 */
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createPulseClient, type PulseClient } from "@/trpc/client";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually } from "../integration/support/raw";

const CLIENTS = 30;
let first: TestServer;
let second: TestServer;
let proxy: net.Server;
let database: TestDatabase;
const clients: PulseClient[] = [];

/** A connection goes to the first backend that accepts it, in order. */
async function failoverProxy(ports: number[]): Promise<{ server: net.Server; url: string }> {
  const server = net.createServer((incoming) => {
    incoming.pause();
    const tryBackend = (index: number) => {
      if (index >= ports.length) return incoming.destroy();
      const outgoing = net.connect(ports[index]!, "127.0.0.1");
      outgoing.once("error", () => tryBackend(index + 1));
      outgoing.once("connect", () => {
        outgoing.removeAllListeners("error");
        outgoing.on("error", () => incoming.destroy());
        incoming.on("error", () => outgoing.destroy());
        incoming.pipe(outgoing).pipe(incoming);
        incoming.resume();
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

afterAll(async () => {
  for (const client of clients) await client.close();
  proxy?.close();
  await second?.stop();
  await first?.stop();
  await database?.drop();
});

describe("one of two instances stopped", () => {
  it("its clients move to the other and miss nothing", async () => {
    // A database of the test's own: stopping an instance must not take it away from the other.
    database = await createTestDatabase();
    first = await startTestServer({}, database);
    second = await startTestServer({}, database);
    const balanced = await failoverProxy([first.pulse.port, second.pulse.port]);
    proxy = balanced.server;
    const host = await signUp(second, "Host");
    const publisher = createPulseClient({ url: second.url, token: host.token });
    clients.push(publisher);
    const session = await publisher.sessions.create.mutate({ kind: "collaboration", title: "Failover" });

    const received: string[][] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, () => {
        const client = createPulseClient({ url: balanced.url, token: host.token });
        clients.push(client);
        const ids: string[] = [];
        received.push(ids);
        return new Promise<void>((resolve) => {
          client.sessions.events.subscribe(
            { sessionId: session.id },
            {
              onStarted: () => resolve(),
              onData: ({ id, data }) => {
                if ((data as { type: string }).type === "message") ids.push(id);
              },
            },
          );
        });
      }),
    );

    const acknowledged: string[] = [];
    let sending = true;
    const publishing = (async () => {
      for (let i = 0; sending; i++) {
        acknowledged.push((await publisher.sessions.sendMessage.mutate({ sessionId: session.id, text: `message ${i}` })).eventId);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await eventually(() => acknowledged.length >= 20, "messages flow", 20_000);
    await first.stop();
    await eventually(() => acknowledged.length >= 60, "messages flow after the stop", 30_000);
    sending = false;
    await publishing;

    await eventually(() => received.every((ids) => acknowledged.every((id) => ids.includes(id))), "every client has every message", 60_000);
    for (const ids of received) {
      expect(new Set(ids).size, "no message twice").toBe(ids.length);
      expect(ids).toEqual([...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    }
  }, 120_000);
});
