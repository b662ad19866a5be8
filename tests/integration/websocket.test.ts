/**
 * The realtime channel: who a socket is (connectionParams, cookie, bearer), what an anonymous
 * socket may do, and that revoking a credential closes the sockets it opened — on this
 * instance and on every other instance sharing the database.
 */
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { AppRouter } from "@/trpc/client";
import { toWebSocketUrl } from "@/trpc/links";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, eventually, RawSocket, RawSocketError, within } from "./support/raw";

const REVOKED = 4001;

let server: TestServer;
/** A second instance on the same database, as behind a load balancer. */
let other: TestServer;
const sockets: RawSocket[] = [];
const closers: Array<() => Promise<void>> = [];
let admin: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  server = await startTestServer();
  other = await startTestServer({}, server.database);
  admin = await signUp(server, "The admin"); // the first account: later ones are plain users
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all(closers.map((close) => close()));
  await other?.stop();
  await server?.stop();
});

/** A raw socket that has finished authenticating (its context exists) before it is returned. */
async function openSocket(target: TestServer, options: { token?: string; headers?: Record<string, string> } = {}) {
  const socket = await RawSocket.open(target.url, options);
  sockets.push(socket);
  await socket.call("query", "auth.me");
  return socket;
}

/** A typed client that sends everything, queries included, over one WebSocket. */
function socketOnlyClient(target: TestServer, token?: string) {
  const closes: Array<number | undefined> = [];
  const socket = createWSClient({
    url: toWebSocketUrl(target.url),
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connectionParams: token ? { token } : undefined,
    retryDelayMs: () => 100,
    onClose: (cause) => closes.push(cause?.code),
  });
  closers.push(() => socket.close());
  return { client: createTRPCClient<AppRouter>({ links: [wsLink({ client: socket, transformer: superjson })] }), closes };
}

describe("authenticating a socket", () => {
  it("connectionParams { token } authenticates the whole socket", async () => {
    const account = await signUp(server);
    const { client } = socketOnlyClient(server, account.token);
    expect((await client.auth.me.query())?.id).toBe(account.user.id);
    expect((await client.auth.sessions.query()).some((s) => s.current)).toBe(true);
    // Mutations over the socket too.
    const { token } = await client.auth.createApiToken.mutate({ name: "made over ws" });
    expect(token).toMatch(/^pat_/);
  });

  it("an API token in connectionParams: the project's client streams health.live snapshots", async () => {
    const account = await signUp(server);
    const { token } = await server.client(account.token).auth.createApiToken.mutate({ name: "live" });
    const client = server.client(token);
    const snapshots = await within(
      new Promise<unknown[]>((resolve, reject) => {
        const seen: unknown[] = [];
        const subscription = client.health.live.subscribe(undefined, {
          onData: (snapshot) => {
            seen.push(snapshot);
            if (seen.length === 2) {
              subscription.unsubscribe();
              resolve(seen);
            }
          },
          onError: reject,
        });
      }),
      "two health.live snapshots",
    );
    for (const snapshot of snapshots) {
      expect(snapshot).toMatchObject({
        status: expect.stringMatching(/^(ok|degraded|unhealthy)$/),
        score: expect.any(Number),
        checks: { database: { status: expect.any(String) }, websockets: { status: expect.any(String) } },
        uptimeS: expect.any(Number),
        version: expect.any(String),
        at: expect.any(Date),
      });
    }
    // Over the same socket, the caller is the token's owner.
    const raw = await openSocket(server, { token });
    expect((await raw.call<{ id: string }>("query", "auth.me")).id).toBe(account.user.id);
  });

  it("the browser's session cookie on the upgrade request authenticates the socket", async () => {
    const account = await signUp(server);
    const socket = await openSocket(server, { headers: { Cookie: `theme=dark; pulse_session=${account.token}` } });
    expect((await socket.call<{ id: string }>("query", "auth.me")).id).toBe(account.user.id);
    const bearer = await openSocket(server, { headers: { Authorization: `Bearer ${account.token}` } });
    expect((await bearer.call<{ id: string }>("query", "auth.me")).id).toBe(account.user.id);
  });

  it("a socket with a bad token is anonymous: public procedures work, the rest are UNAUTHORIZED", async () => {
    for (const token of ["pat_not-a-token", "pls_not-a-token", "garbage"]) {
      const socket = await openSocket(server, { token });
      expect(await socket.call("query", "auth.me")).toBeNull();
      const { time } = await socket.call<{ time: number }>("query", "health.ping");
      expect(time).toBeGreaterThan(0);
      const [snapshot] = await socket.take<{ score: number }>("health.live", 1);
      expect(snapshot!.score).toEqual(expect.any(Number));
      for (const [method, path, input] of [
        ["query", "auth.sessions", undefined],
        ["query", "auth.listApiTokens", undefined],
        ["mutation", "auth.createApiToken", { name: "nope" }],
        ["query", "users.list", undefined],
      ] as const) {
        const error = await socket.call(method, path, input).catch((e: unknown) => e);
        expect(error, path).toBeInstanceOf(RawSocketError);
        expect((error as RawSocketError).shape.data.code, path).toBe("UNAUTHORIZED");
      }
      // Errors do not cost the socket.
      expect(socket.isOpen).toBe(true);
      expect(await socket.call("query", "health.ping")).toBeTruthy();
    }
  });

  it("an anonymous typed client (no token) can still ping over the socket", async () => {
    const { client } = socketOnlyClient(server);
    expect((await client.health.ping.query()).time).toBeGreaterThan(0);
    expect(await codeOf(client.auth.sessions.query())).toBe("UNAUTHORIZED");
  });
});

describe("revoking a credential closes the sockets it authenticated (4001)", () => {
  it("signing out closes that login's sockets only", async () => {
    const account = await signUp(server);
    const laptop = await server.client().auth.signIn.mutate({ email: account.email, password: account.password });
    const doomed = await openSocket(server, { token: account.token });
    const doomedByCookie = await openSocket(server, { headers: { Cookie: `pulse_session=${account.token}` } });
    const survivor = await openSocket(server, { token: laptop.token });
    const anonymous = await openSocket(server);

    await server.client(account.token).auth.signOut.mutate();
    expect((await within(doomed.closed, "the signed-out socket to close")).code).toBe(REVOKED);
    expect((await within(doomedByCookie.closed, "the cookie socket to close")).code).toBe(REVOKED);
    expect(survivor.isOpen).toBe(true);
    expect(anonymous.isOpen).toBe(true);
    expect((await survivor.call<{ id: string }>("query", "auth.me")).id).toBe(account.user.id);
  });

  it("revoking a login session closes its sockets", async () => {
    const account = await signUp(server);
    const phone = await server.client().auth.signIn.mutate({ email: account.email, password: account.password });
    const phoneSocket = await openSocket(server, { token: phone.token });
    const mySocket = await openSocket(server, { token: account.token });
    const phoneSession = (await server.client(account.token).auth.sessions.query()).find((s) => !s.current)!;

    await server.client(account.token).auth.revokeSession.mutate({ sessionId: phoneSession.id });
    expect((await within(phoneSocket.closed, "the revoked session's socket to close")).code).toBe(REVOKED);
    expect(mySocket.isOpen).toBe(true);
  });

  it("revoking an API token closes its sockets, not the owner's login sockets", async () => {
    const account = await signUp(server);
    const owner = server.client(account.token);
    const doomedToken = await owner.auth.createApiToken.mutate({ name: "doomed" });
    const keptToken = await owner.auth.createApiToken.mutate({ name: "kept" });
    const doomed = await openSocket(server, { token: doomedToken.token });
    const kept = await openSocket(server, { token: keptToken.token });
    const login = await openSocket(server, { token: account.token });

    await owner.auth.revokeApiToken.mutate({ tokenId: doomedToken.id });
    expect((await within(doomed.closed, "the revoked token's socket to close")).code).toBe(REVOKED);
    expect(kept.isOpen).toBe(true);
    expect(login.isOpen).toBe(true);
  });

  it("changing someone's role closes all of their sockets, and theirs only", async () => {
    const target = await signUp(server, "Target");
    const { token } = await server.client(target.token).auth.createApiToken.mutate({ name: "t" });
    const byLogin = await openSocket(server, { token: target.token });
    const byToken = await openSocket(server, { token });
    const bystander = await openSocket(server, { token: admin.token });

    await server.client(admin.token).users.setRole.mutate({ userId: target.user.id, role: "ADMIN" });
    expect((await within(byLogin.closed, "the promoted user's login socket to close")).code).toBe(REVOKED);
    expect((await within(byToken.closed, "the promoted user's token socket to close")).code).toBe(REVOKED);
    expect(bystander.isOpen).toBe(true);

    // A new socket carries the new role: admin procedures now work over it.
    const fresh = await openSocket(server, { token });
    const page = await fresh.call<{ items: unknown[] }>("query", "users.list", { limit: 1 });
    expect(page.items).toHaveLength(1);
  });

  it("a closed socket reconnecting with a revoked credential is anonymous", async () => {
    const account = await signUp(server);
    const { client, closes } = socketOnlyClient(server, account.token);
    expect((await client.auth.me.query())?.id).toBe(account.user.id);
    await server.client(account.token).auth.signOut.mutate();
    await eventually(() => closes.includes(REVOKED), "the client to see close code 4001");
    // The client reconnects on its own; a call in the instant between (tRPC's "Active connection
    // is not open") is tried again, as a program would.
    await eventually(async () => (await client.auth.me.query().catch(() => "reconnecting")) === null, "an anonymous answer on the new socket");
    // CI once saw this call end with the socket closing under it ("Unknown error"), which a
    // program would also retry; what must hold is the answer once there is one. The close codes
    // are printed when that happens, to find out which close it was.
    let code = "";
    await eventually(async () => {
      code = await codeOf(client.auth.sessions.query()).catch(() => "closed");
      if (code === "closed") console.warn("auth.sessions met a closing socket; close codes so far:", closes);
      return code !== "closed";
    }, "an answer from the reconnected socket");
    expect(code).toBe("UNAUTHORIZED");
  });

  it("the project's client resumes a public subscription after its socket is revoked", async () => {
    const account = await signUp(server);
    const { id, token } = await server.client(account.token).auth.createApiToken.mutate({ name: "resume" });
    const closes: Array<number | undefined> = [];
    const { createPulseClient } = await import("@/trpc/client");
    const client = createPulseClient({ url: server.url, token, onSocketClose: (code) => closes.push(code) });
    closers.push(() => client.close());
    let events = 0;
    const subscription = client.health.live.subscribe(undefined, { onData: () => void events++ });
    try {
      await eventually(() => events >= 1, "a first snapshot");
      await server.client(account.token).auth.revokeApiToken.mutate({ tokenId: id });
      await eventually(() => closes.includes(REVOKED), "the client's socket to be closed with 4001");
      const before = events;
      await eventually(() => events > before, "a snapshot after reconnecting", 15_000);
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe("across instances sharing the database", () => {
  it("revoking a session or a token, or signing out, on one instance closes sockets on another", async () => {
    const account = await signUp(server);
    const phone = await server.client().auth.signIn.mutate({ email: account.email, password: account.password });
    const owner = server.client(account.token);
    const apiToken = await owner.auth.createApiToken.mutate({ name: "remote" });

    const remoteLogin = await openSocket(other, { token: account.token });
    const remotePhone = await openSocket(other, { token: phone.token });
    const remoteToken = await openSocket(other, { token: apiToken.token });
    expect((await remoteLogin.call<{ id: string }>("query", "auth.me")).id).toBe(account.user.id);

    // Revoke the phone's session on the first instance.
    const phoneSession = (await owner.auth.sessions.query()).find((s) => !s.current)!;
    await owner.auth.revokeSession.mutate({ sessionId: phoneSession.id });
    expect((await within(remotePhone.closed, "the remote session socket to close")).code).toBe(REVOKED);
    expect(remoteLogin.isOpen && remoteToken.isOpen).toBe(true);

    // Revoke the API token on the first instance.
    await owner.auth.revokeApiToken.mutate({ tokenId: apiToken.id });
    expect((await within(remoteToken.closed, "the remote token socket to close")).code).toBe(REVOKED);
    expect(remoteLogin.isOpen).toBe(true);

    // Sign out on the first instance.
    await owner.auth.signOut.mutate();
    expect((await within(remoteLogin.closed, "the remote login socket to close")).code).toBe(REVOKED);
  });

  it("a role change on one instance closes the user's sockets on the other", async () => {
    const target = await signUp(server, "Remote target");
    const remote = await openSocket(other, { token: target.token });
    const local = await openSocket(server, { token: target.token });
    await server.client(admin.token).users.setRole.mutate({ userId: target.user.id, role: "ADMIN" });
    expect((await within(remote.closed, "the remote socket to close")).code).toBe(REVOKED);
    expect((await within(local.closed, "the local socket to close")).code).toBe(REVOKED);
  });

  it("a revocation made on the second instance reaches the first", async () => {
    const account = await signUp(other);
    const local = await openSocket(server, { token: account.token });
    await other.client(account.token).auth.signOut.mutate();
    expect((await within(local.closed, "the first instance's socket to close")).code).toBe(REVOKED);
  });
});
