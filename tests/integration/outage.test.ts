/**
 * PostgreSQL becomes unreachable (here: the connection to it is cut, as in a network outage or a
 * restart) and comes back. Meanwhile every call that needs it gets 503 SERVICE_UNAVAILABLE with
 * Retry-After and a message a person understands — never 500 "Something went wrong" — calls that
 * need no database still work, and the log says once that the database is down and once that it
 * is back, with no stack trace per request.
 */
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { createLogger } from "@/server/log";
import { startPulse, type RunningPulse } from "@/server/start";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { eventually, mutate, query, RawSocket, RawSocketError, within } from "./support/raw";
import { startTcpProxy, type TcpProxy } from "./support/proxy";

let database: TestDatabase;
let proxy: TcpProxy;
let pulse: RunningPulse;
const logs: Array<{ level: number; msg: string; err?: { stack?: string } }> = [];
let token: string;
let unseenToken: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const direct = new URL(database.url);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
  const throughProxy = new URL(database.url);
  throughProxy.hostname = "127.0.0.1";
  throughProxy.port = String(proxy.port);
  const config = loadConfig({ NODE_ENV: "test", PORT: "0", HOST: "127.0.0.1", DATABASE_URL: throughProxy.toString(), LOG_LEVEL: "info" }, { shutdownGraceMs: 1_000 });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  pulse = await startPulse(config, createLogger("info", sink));
  const signedUp = await mutate<{ token: string }>(pulse.url, "auth.signUp", { email: "outage@example.com", password: "correct horse battery", name: "Outage" });
  token = signedUp.data!.token;
  // Signed up over HTTP and never used on a socket: no socket has its answer remembered (trpc/credential-cache.ts).
  const unseen = await mutate<{ token: string }>(pulse.url, "auth.signUp", { email: "unseen@example.com", password: "correct horse battery", name: "Unseen" });
  unseenToken = unseen.data!.token;
});
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await pulse?.stop();
  await proxy?.close();
  await database?.drop();
});

const messages = (text: string) => logs.filter((line) => line.msg.includes(text));

describe("while the database is unreachable", () => {
  it("calls get 503 with Retry-After and a plain message; the log says so once; all is well again when it is back", async () => {
    const socket = await RawSocket.open(pulse.url, { token });
    expect((await socket.call<{ id: string }>("query", "auth.me"))?.id).toBeDefined();
    await proxy.cut();

    // Authenticated queries (the credential cannot be checked), mutations, batches, sign-in.
    for (const response of [
      await query(pulse.url, "auth.me", undefined, { token }),
      await query(pulse.url, "sessions.list", {}, { token }),
      await mutate(pulse.url, "auth.signIn", { email: "outage@example.com", password: "correct horse battery" }),
      await mutate(pulse.url, "auth.signUp", { email: "new@example.com", password: "correct horse battery", name: "New" }),
    ]) {
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(response.error!.data.code).toBe("SERVICE_UNAVAILABLE");
      expect(response.error!.message).toMatch(/briefly unavailable/);
      expect(response.error!.data.retryAfterS).toBe(5);
    }
    const batch = await fetch(`${pulse.url}/api/trpc/auth.me,sessions.list?batch=1&input=${encodeURIComponent(JSON.stringify({ 1: { json: {} } }))}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(batch.status).toBe(503);
    expect(batch.headers.get("retry-after")).toBe("5");

    // Over an open WebSocket (its caller known from before): the same code.
    const refused = await socket.call("query", "sessions.list", {}).catch((error: unknown) => error);
    expect((refused as RawSocketError).shape.data.code).toBe("SERVICE_UNAVAILABLE");
    // A socket opening now with a credential no socket used a moment ago cannot be authenticated: it is told why.
    const late = await RawSocket.open(pulse.url, { token: unseenToken });
    await eventually(() => late.notifications.length > 0, "the new socket to be told");
    const told = late.notifications[0] as { id: null; error: { json: { data: { code: string } } } };
    expect(told.error.json.data.code).toBe("SERVICE_UNAVAILABLE");
    late.close();
    // What needs no database still answers.
    expect((await query<{ time: number }>(pulse.url, "health.ping")).status).toBe(200);

    expect(messages("database unreachable")).toHaveLength(1);
    expect(logs.filter((line) => line.level >= 50 && line.msg !== "database unreachable: answering 503 until it is back")).toEqual([]);

    await proxy.restore();
    await eventually(() => messages("database reachable again").length === 1, "the log to say the database is back", 15_000);
    await eventually(async () => (await query(pulse.url, "sessions.list", {}, { token })).status === 200, "calls to work again", 15_000);
    expect((await query<{ id: string }>(pulse.url, "auth.me", undefined, { token })).data?.id).toBeDefined();
    expect(messages("database unreachable")).toHaveLength(1);
    expect(messages("database reachable again")).toHaveLength(1);
    socket.close();
  });

  it("a second outage is logged again, once", async () => {
    await proxy.cut();
    for (let i = 0; i < 5; i++) expect((await query(pulse.url, "sessions.list", {}, { token })).status).toBe(503);
    expect(messages("database unreachable")).toHaveLength(2);
    await proxy.restore();
    await within(
      (async () => {
        while (messages("database reachable again").length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
      })(),
      "the second recovery to be logged",
      15_000,
    );
    expect((await query(pulse.url, "sessions.list", {}, { token })).status).toBe(200);
  });
});
