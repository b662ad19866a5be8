/**
 * Odd bytes are the caller's mistake, never a 500: a NUL character or an unpaired surrogate in
 * any text field, an event id past PostgreSQL's 64-bit range, and a session cookie that cannot
 * be decoded. Each gets BAD_REQUEST naming the field (or, for the cookie, is simply no session),
 * leaves no row behind and writes nothing to the error log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { mutate, query, RawSocket, RawSocketError, rowCounts, servedRequests, within } from "./support/raw";

let server: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let user: Awaited<ReturnType<typeof signUp>>;
let sessionId: string;
let stressId: string;
beforeAll(async () => {
  server = await startTestServer();
  admin = await signUp(server, "Admin");
  user = await signUp(server, "User");
  sessionId = (await server.client(user.token).sessions.create.mutate({ kind: "collaboration", title: "Odd bytes" })).id;
  stressId = (await server.client(user.token).sessions.create.mutate({ kind: "stress", title: "Check-in" })).id;
});
afterAll(() => server?.stop());

const ODD = { "a NUL character": "before\0after", "an unpaired surrogate": "broken \ud800 text" } as const;

/** One call per text field the API takes: [procedure, kind, input with the odd text, the field's path in the error]. */
function fieldCases(odd: string): Array<[string, "query" | "mutation", () => unknown, string, "user" | "admin" | "none"]> {
  return [
    ["auth.signUp", "mutation", () => ({ email: "odd@example.com", password: `pass${odd}word`, name: "Odd" }), "password", "none"],
    ["auth.signUp", "mutation", () => ({ email: "odd@example.com", password: "long enough", name: odd }), "name", "none"],
    ["auth.signIn", "mutation", () => ({ email: admin.email, password: odd }), "password", "none"],
    ["auth.createApiToken", "mutation", () => ({ name: odd }), "name", "user"],
    ["users.update", "mutation", () => ({ name: odd }), "name", "user"],
    ["users.list", "query", () => ({ search: odd }), "search", "admin"],
    ["sessions.create", "mutation", () => ({ kind: "meditation", title: odd }), "title", "user"],
    ["sessions.create", "mutation", () => ({ kind: "meditation", title: "Fine", description: odd }), "description", "user"],
    ["sessions.create", "mutation", () => ({ kind: "stress", title: "Fine", config: { prompt: odd } }), "config.prompt", "user"],
    ["sessions.join", "mutation", () => ({ sessionId, inviteCode: odd }), "inviteCode", "admin"],
    ["sessions.sendMessage", "mutation", () => ({ sessionId, text: odd }), "text", "user"],
    ["sessions.requestHelp", "mutation", () => ({ sessionId, note: odd }), "note", "user"],
    ["sessions.updateState", "mutation", () => ({ sessionId: stressId, kind: "stress", level: 3, factors: [odd] }), "factors.0", "user"],
    ["sessions.history", "query", () => ({ sessionId, types: [odd] }), "types.0", "user"],
  ];
}

describe("text the database cannot store is BAD_REQUEST, naming the field", () => {
  for (const [what, odd] of Object.entries(ODD)) {
    it(`${what}, in every kind of text field`, async () => {
      const before = await rowCounts(server.database.url);
      for (const [path, kind, input, field, as] of fieldCases(odd)) {
        const token = as === "admin" ? admin.token : as === "user" ? user.token : undefined;
        const response = await (kind === "query" ? query : mutate)(server.url, path, input(), { token });
        expect({ path, field, status: response.status, code: response.error?.data.code }).toEqual({ path, field, status: 400, code: "BAD_REQUEST" });
        expect(response.error!.message, `${path} names ${field}`).toContain(`${field}:`);
        expect(response.error!.message).toMatch(/NUL character|unpaired surrogate/);
      }
      expect(await rowCounts(server.database.url)).toEqual(before);
    });
  }

  it("and the same text without the odd character is accepted", async () => {
    const fine = await server.client(user.token).sessions.sendMessage.mutate({ sessionId, text: "before after 👋" });
    expect(fine.eventId).toMatch(/^\d+$/);
  });
});

describe("event ids past the 64-bit range are BAD_REQUEST", () => {
  const tooLarge = "9223372036854775808"; // 2^63: one past PostgreSQL's largest bigint

  it("history.before, over HTTP", async () => {
    const response = await query(server.url, "sessions.history", { sessionId, before: tooLarge }, { token: user.token });
    expect(response.status).toBe(400);
    expect(response.error!.message).toMatch(/before: An event id is at most 9223372036854775807/);
    const largest = await query(server.url, "sessions.history", { sessionId, before: "9223372036854775807" }, { token: user.token });
    expect(largest.status).toBe(200);
  });

  it("events.lastEventId, over WebSocket and over server-sent events", async () => {
    const socket = await RawSocket.open(server.url, { token: user.token });
    try {
      const refused = await within(
        socket.take("sessions.events", 1, { sessionId, lastEventId: tooLarge }).then(
          () => null,
          (error: unknown) => error,
        ),
        "the subscription to be refused",
      );
      expect(refused).toBeInstanceOf(RawSocketError);
      expect((refused as RawSocketError).shape.data.code).toBe("BAD_REQUEST");
      expect((refused as RawSocketError).shape.message).toMatch(/lastEventId: An event id is at most/);
    } finally {
      socket.close();
    }
    const input = encodeURIComponent(JSON.stringify({ json: { sessionId, lastEventId: tooLarge } }));
    const sse = await fetch(`${server.url}/api/trpc/sessions.events?input=${input}`, { headers: { Authorization: `Bearer ${user.token}` } });
    const body = await sse.text();
    expect(body).toContain("event: serialized-error");
    expect(body).toMatch(/lastEventId: An event id is at most/);
  });
});

describe("a session cookie that cannot be decoded is no session", () => {
  const cookie = "pulse_session=%";

  it("over HTTP: public procedures answer anonymously, the others are UNAUTHORIZED", async () => {
    const me = await query(server.url, "auth.me", undefined, { cookie });
    expect(me.status).toBe(200);
    expect(me.data).toBeNull();
    const sessions = await query(server.url, "auth.sessions", undefined, { cookie });
    expect(sessions.status).toBe(401);
    expect(sessions.error!.data.code).toBe("UNAUTHORIZED");
    // Next to a valid cookie of another name, and with a bearer token, the token still counts.
    const withToken = await query<{ id: string }>(server.url, "auth.me", undefined, { cookie: `theme=dark; ${cookie}`, token: user.token });
    expect(withToken.data!.id).toBe(user.user.id);
  });

  it("over WebSocket: the socket opens and stays open, anonymous", async () => {
    const socket = await RawSocket.open(server.url, { headers: { Cookie: cookie } });
    try {
      expect(await socket.call("query", "auth.me")).toBeNull();
      expect(socket.isOpen).toBe(true);
    } finally {
      socket.close();
    }
  });
});

describe("none of this was a server error", () => {
  it("the server answered none of this file's requests with a 5xx", async () => {
    const served = await servedRequests(server.url);
    expect(served.some((line) => /status="400"/.test(line))).toBe(true);
    expect(served.filter((line) => /status="5\d\d"/.test(line))).toEqual([]);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const calls = text.split("\n").filter((line) => line.startsWith("pulse_trpc_calls_total{") && /code="INTERNAL_SERVER_ERROR"/.test(line));
    expect(calls).toEqual([]);
  });
});
