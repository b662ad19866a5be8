/**
 * Bad input gets a clear error: the right code and HTTP status, a message that says what is
 * wrong, never a 500, and never a partial row left behind.
 */
import http from "node:http";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "@/trpc/client";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, eventually, mutate, query, RawSocket, RawSocketError, rowCounts, servedRequests, sql, within } from "./support/raw";

let server: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let user: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  server = await startTestServer();
  admin = await signUp(server, "Admin");
  user = await signUp(server, "User");
});
afterAll(() => server?.stop());

/** Sends a body in chunks without a Content-Length, so the server cannot refuse it up front. */
function postChunked(url: string, chunks: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: "POST", headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" } });
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, body }));
    });
    request.on("error", reject);
    (async () => {
      for (const chunk of chunks) {
        if (request.destroyed) return;
        if (!request.write(chunk)) await new Promise((r) => request.once("drain", r));
      }
      request.end();
    })().catch(() => undefined);
  });
}

describe("malformed requests", () => {
  it("a body that is not JSON is a 400 BAD_REQUEST saying so", async () => {
    const before = await rowCounts(server.database.url);
    const response = await mutate(server.url, "auth.signIn", undefined, { body: '{"json": {"email": "a@example.com", ' });
    expect(response.status).toBe(400);
    expect(response.error!.data.code).toBe("BAD_REQUEST");
    expect(response.error!.message).toMatch(/not valid JSON/i);
    // The same inside a batch.
    const batch = await fetch(`${server.url}/api/trpc/auth.signIn,auth.signUp?batch=1`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"0": {"json": ',
    });
    expect(batch.status).toBe(400);
    expect(await rowCounts(server.database.url)).toEqual(before);
  });

  it("query input that is not JSON is a 400 BAD_REQUEST", async () => {
    const response = await fetch(`${server.url}/api/trpc/users.byId?input=%7Bbroken`, { headers: { Authorization: `Bearer ${user.token}` } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json.data.code).toBe("BAD_REQUEST");
    expect(body.error.json.message).toMatch(/not valid JSON/i);
  });

  it("an input of the wrong shape is a 400 BAD_REQUEST naming each bad field", async () => {
    const before = await rowCounts(server.database.url);
    const response = await mutate(server.url, "auth.signUp", { email: 42, password: "short" });
    expect(response.status).toBe(400);
    const error = response.error!;
    expect(error.data.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(/\bemail\b/);
    expect(error.message).toMatch(/\bpassword\b.*8 characters/);
    expect(error.message).toMatch(/\bname\b/);
    expect(Object.keys(error.data.zodError!.fieldErrors).sort()).toEqual(["email", "name", "password"]);
    expect(await rowCounts(server.database.url)).toEqual(before);
  });

  it("the typed client surfaces the field in the error message", async () => {
    const error = await server
      .client()
      .auth.signUp.mutate({ email: "not-an-email", password: "correct horse battery", name: "X" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    const clientError = error as TRPCClientError<AppRouter>;
    expect(clientError.data?.code).toBe("BAD_REQUEST");
    expect(clientError.data?.httpStatus).toBe(400);
    expect(clientError.message).toMatch(/^Invalid input: email: /);
  });

  it("an input that is not an object at all is BAD_REQUEST", async () => {
    const response = await mutate(server.url, "auth.signIn", "just a string");
    expect(response.status).toBe(400);
    expect(response.error!.data.code).toBe("BAD_REQUEST");
    const missing = await mutate(server.url, "auth.signIn", undefined);
    expect(missing.status).toBe(400);
    expect(missing.error!.data.code).toBe("BAD_REQUEST");
  });

  it("an unknown procedure is a 404 NOT_FOUND, by POST, GET and WebSocket", async () => {
    const posted = await mutate(server.url, "auth.doesNotExist", {});
    expect(posted.status).toBe(404);
    expect(posted.error!.data.code).toBe("NOT_FOUND");
    const got = await query(server.url, "nothing.here");
    expect(got.status).toBe(404);
    expect(got.error!.data.code).toBe("NOT_FOUND");
    expect(got.error!.message).toContain("nothing.here");

    const socket = await RawSocket.open(server.url);
    try {
      const error = await socket.call("query", "nothing.here").catch((e: { shape: { data: { code: string } } }) => e.shape);
      expect(error).toMatchObject({ data: { code: "NOT_FOUND" } });
    } finally {
      socket.close();
    }
  });

  it("over WebSocket: a message that is not JSON, or a bad input, is BAD_REQUEST and the socket carries on", async () => {
    const socket = await RawSocket.open(server.url);
    try {
      socket.ws.send("{ this is not json");
      await eventually(() => socket.notifications.length > 0, "an answer to the malformed message");
      const [answer] = socket.notifications as Array<{ id: null; error: { json: { message: string; data: { code: string } } } }>;
      expect(answer!.error.json.data.code).toBe("BAD_REQUEST");
      expect(answer!.error.json.message).toMatch(/not valid JSON/i);

      const shape = await socket.call("mutation", "auth.signUp", { email: "nope", password: "correct horse battery" }).catch((e: RawSocketError) => e.shape);
      expect(shape).toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/\bemail\b.*\bname\b/) });
      expect(socket.isOpen).toBe(true);
      expect(await socket.call("query", "health.ping")).toMatchObject({ time: expect.any(Number) });
    } finally {
      socket.close();
    }
  });

  it("a mutation called with GET is refused with 405, not run", async () => {
    const before = await rowCounts(server.database.url);
    const response = await query(server.url, "auth.createApiToken", { name: "via GET" }, { token: user.token });
    expect(response.status).toBe(405);
    expect(response.error!.data.code).toBe("METHOD_NOT_SUPPORTED");
    expect(await rowCounts(server.database.url)).toEqual(before);
  });
});

describe("oversized bodies", () => {
  const bigSignIn = () => JSON.stringify({ json: { email: "big@example.com", password: "x".repeat(1_100_000) } });

  it("a body over 1 MB is a 413 PAYLOAD_TOO_LARGE", async () => {
    const before = await rowCounts(server.database.url);
    const response = await mutate(server.url, "auth.signIn", undefined, { body: bigSignIn() });
    expect(response.status).toBe(413);
    expect(response.error!.data.code).toBe("PAYLOAD_TOO_LARGE");
    expect(response.error!.message).toMatch(/too large/i);
    expect(await rowCounts(server.database.url)).toEqual(before);
  });

  it("also when the body is streamed without a Content-Length", async () => {
    const chunk = Buffer.alloc(64 * 1024, "a");
    const chunks = [Buffer.from('{"json":{"email":"big@example.com","password":"'), ...Array.from({ length: 20 }, () => chunk), Buffer.from('"}}')];
    const response = await postChunked(`${server.url}/api/trpc/auth.signIn`, chunks);
    expect(response.status).toBe(413);
    expect(response.body).toContain("PAYLOAD_TOO_LARGE");
  });

  it("a body under the limit is read, and its bad field reported instead", async () => {
    const response = await mutate(server.url, "auth.signIn", undefined, {
      body: JSON.stringify({ json: { email: "big@example.com", password: "x".repeat(900_000) } }),
    });
    expect(response.status).toBe(400);
    expect(response.error!.message).toMatch(/\bpassword\b/);
  });

  it("a WebSocket message over 1 MB closes that socket (1009) only: another socket, mid-subscription, carries on", async () => {
    const other = await RawSocket.open(server.url, { token: user.token });
    const live = other.subscribe("health.live");
    await eventually(() => live.data.length > 0, "the other socket's subscription to start");
    const socket = await RawSocket.open(server.url);
    socket.ws.send(JSON.stringify({ id: 1, method: "mutation", params: { path: "auth.signIn", input: JSON.parse(bigSignIn()) } }));
    expect((await within(socket.closed, "the oversized socket to close")).code).toBe(1009);
    expect(other.isOpen).toBe(true);
    expect(await other.call<{ id: string }>("query", "auth.me")).toMatchObject({ id: user.user.id });
    const seen = live.data.length;
    await eventually(() => live.data.length > seen, "the other socket's subscription to go on");
    other.close();
    expect((await server.client().health.ping.query()).time).toBeGreaterThan(0);
  });

  it("a message just under the limit is read (and its bad field reported), the socket stays open", async () => {
    const socket = await RawSocket.open(server.url);
    const error = await socket.call("mutation", "auth.signIn", { email: "big@example.com", password: "x".repeat(900_000) }).catch((e: unknown) => e);
    expect((error as RawSocketError).shape.data.code).toBe("BAD_REQUEST");
    expect(socket.isOpen).toBe(true);
    socket.close();
  });
});

describe("duplicate email", () => {
  it("is a 409 CONFLICT, whatever the case, and adds no row", async () => {
    const email = `dup${Date.now()}@example.com`;
    await server.client().auth.signUp.mutate({ email, password: "correct horse battery", name: "First" });
    const before = await rowCounts(server.database.url);
    const again = await mutate(server.url, "auth.signUp", { email: email.toUpperCase(), password: "another password", name: "Second" });
    expect(again.status).toBe(409);
    expect(again.error!.data.code).toBe("CONFLICT");
    expect(again.error!.message).toMatch(/already exists/i);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(await rowCounts(server.database.url)).toEqual(before);
    const rows = await sql<{ name: string }>(server.database.url, `SELECT name FROM "User" WHERE lower(email) = $1`, [email]);
    expect(rows).toEqual([{ name: "First" }]);
  });

  it("racing sign-ups with one email create exactly one account", async () => {
    const email = `race${Date.now()}@example.com`;
    const before = await rowCounts(server.database.url);
    const codes = await Promise.all(
      [1, 2, 3, 4].map((i) => codeOf(server.client().auth.signUp.mutate({ email, password: "correct horse battery", name: `Racer ${i}` }))),
    );
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "CONFLICT")).toHaveLength(3);
    const after = await rowCounts(server.database.url);
    expect(after.users).toBe(before.users + 1);
    expect(after.sessions).toBe(before.sessions + 1);
    expect(after.audit).toBe(before.audit + 1);
  });
});

describe("bad credentials", () => {
  it("an expired login token is UNAUTHORIZED (and me is null)", async () => {
    const account = await signUp(server);
    await sql(server.database.url, `UPDATE "LoginSession" SET "expiresAt" = now() - interval '1 minute' WHERE "userId" = $1`, [account.user.id]);
    const response = await query(server.url, "auth.sessions", undefined, { token: account.token });
    expect(response.status).toBe(401);
    expect(response.error!.data.code).toBe("UNAUTHORIZED");
    expect(await server.client(account.token).auth.me.query()).toBeNull();
    const viaCookie = await query(server.url, "auth.listApiTokens", undefined, { cookie: `pulse_session=${account.token}` });
    expect(viaCookie.status).toBe(401);
  });

  it("a revoked login token is UNAUTHORIZED", async () => {
    const account = await signUp(server);
    await server.client(account.token).auth.signOut.mutate();
    expect(await codeOf(server.client(account.token).auth.createApiToken.mutate({ name: "late" }))).toBe("UNAUTHORIZED");
  });

  it("a revoked API token is UNAUTHORIZED", async () => {
    const account = await signUp(server);
    const { id, token } = await server.client(account.token).auth.createApiToken.mutate({ name: "short-lived" });
    await server.client(account.token).auth.revokeApiToken.mutate({ tokenId: id });
    const response = await query(server.url, "auth.sessions", undefined, { token });
    expect(response.status).toBe(401);
    expect(response.error!.data.code).toBe("UNAUTHORIZED");
  });

  it("a made-up or malformed token is UNAUTHORIZED, not a 500", async () => {
    for (const token of ["pat_made-up", "pls_made-up", "no-prefix-at-all", "x".repeat(5000)]) {
      const response = await query(server.url, "auth.sessions", undefined, { token });
      expect(response.status, token.slice(0, 20)).toBe(401);
    }
  });

  it("a user calling an admin procedure is a 403 FORBIDDEN", async () => {
    const before = await rowCounts(server.database.url);
    const list = await query(server.url, "users.list", undefined, { token: user.token });
    expect(list.status).toBe(403);
    expect(list.error!.data.code).toBe("FORBIDDEN");
    const setRole = await mutate(server.url, "users.setRole", { userId: user.user.id, role: "ADMIN" }, { token: user.token });
    expect(setRole.status).toBe(403);
    expect(await rowCounts(server.database.url)).toEqual(before);
    expect(await server.client(admin.token).users.byId.query({ id: user.user.id })).toMatchObject({ role: "USER" });
  });
});

describe("no bad input is a server error", () => {
  it("the server answered none of this file's requests with a 5xx", async () => {
    const served = await servedRequests(server.url);
    expect(served.some((line) => /status="4\d\d"/.test(line))).toBe(true);
    expect(served.filter((line) => /status="5\d\d"/.test(line))).toEqual([]);
  });
});
