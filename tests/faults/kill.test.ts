/**
 * The server process SIGKILLed while 100 WebSocket clients follow a live session and a publisher
 * keeps sending: no drain, no goodbye. It is started again on the same port; every client's
 * typed client reconnects by itself and resumes from its last event id. Every message the server
 * acknowledged (before the kill and after the restart) reaches every client exactly once, in order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort } from "@/server/db/embedded";
import { createPulseClient, type PulseClient } from "@/trpc/client";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { eventually } from "../integration/support/raw";

const projectDir = path.resolve(import.meta.dirname, "../..");
const CLIENTS = 100;
let database: TestDatabase;
let server: ChildProcess | undefined;
const clients: PulseClient[] = [];

/** tests/helpers/pulse-entry.ts (Pulse without Next) as a process of its own; resolves once it listens. */
async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/pulse-entry.ts"], {
    cwd: projectDir,
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: database.url,
      LOG_LEVEL: "warn",
      SHED_EVENT_LOOP_MS: "0",
      SIGN_IN_ATTEMPTS_PER_IP: "1000",
      // A hundred clients on one address: the per-address limits (tested in rate-limits.test.ts) out of the way.
      RATE_LIMIT_PER_MINUTE: "1000000",
      WS_CONNECTIONS_PER_IP: "10000",
      WS_CONNECTIONS_PER_USER: "10000",
      WS_MESSAGES_PER_10S: "1000000",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before it was ready`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("READY")) resolve();
    });
  });
  return child;
}

afterAll(async () => {
  for (const client of clients) await client.close();
  server?.kill("SIGKILL");
  await database?.drop();
});

describe("a server killed under live traffic", () => {
  it("every client resumes after the restart and gets every acknowledged message exactly once", async () => {
    database = await createTestDatabase();
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    server = await startServer(port);

    const anonymous = createPulseClient({ url });
    const { token } = await anonymous.auth.signUp.mutate({ email: "host@example.com", password: "correct horse battery", name: "Host" });
    await anonymous.close();
    const publisher = createPulseClient({ url, token });
    clients.push(publisher);
    const session = await publisher.sessions.create.mutate({ kind: "collaboration", title: "Under fire" });

    // 100 followers, each its own socket, each keeping what it is given.
    const received: string[][] = [];
    const failures: unknown[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => {
        const client = createPulseClient({ url, token });
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
              onError: (error) => failures.push({ client: i, error }),
            },
          );
        });
      }),
    );

    // The publisher sends steadily; what the server acknowledged is what it owes everyone.
    const acknowledged: string[] = [];
    let sending = true;
    let sent = 0;
    const publishing = (async () => {
      while (sending) {
        const text = `message ${++sent}`;
        await publisher.sessions.sendMessage
          .mutate({ sessionId: session.id, text })
          .then(({ eventId }) => void acknowledged.push(eventId))
          .catch(() => undefined); // in flight when the server died: not acknowledged, not owed
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    await eventually(() => acknowledged.length >= 30, "messages flow", 20_000);
    // Some deliveries are on their way: kill it without warning.
    server.kill("SIGKILL");
    await new Promise((resolve) => server!.once("exit", resolve));
    const beforeKill = acknowledged.length;
    await new Promise((r) => setTimeout(r, 500));
    server = await startServer(port);
    await eventually(() => acknowledged.length >= beforeKill + 30, "messages flow after the restart", 30_000);
    sending = false;
    await publishing;

    const owed = [...acknowledged].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    await eventually(() => received.every((ids) => owed.every((id) => ids.includes(id))), "every client has every acknowledged message", 60_000);
    for (const ids of received) {
      expect(new Set(ids).size, "no message twice").toBe(ids.length);
      const inOrder = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      expect(ids).toEqual(inOrder);
      for (const id of owed) expect(ids).toContain(id);
    }
    expect(failures).toEqual([]);
  }, 180_000);
});
