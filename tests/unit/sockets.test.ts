import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { ConnectionCount } from "@/server/metrics/connections";
import { CLOSE_CREDENTIALS_REVOKED, SocketRegistry, type StreamEnd } from "@/server/trpc/sockets";

let wss: WebSocketServer;
let url: string;
beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await once(wss, "listening");
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
});
afterAll(() => {
  for (const socket of wss.clients) socket.terminate();
  return new Promise<void>((resolve) => wss.close(() => resolve()));
});

/** A real connection: the server's end and the client's end. */
async function connect(): Promise<{ server: WebSocket; client: WebSocket }> {
  const client = new WebSocket(url);
  const [server] = (await once(wss, "connection")) as [WebSocket];
  if (client.readyState !== WebSocket.OPEN) await once(client, "open");
  return { server, client };
}

describe("SocketRegistry", () => {
  it("closes exactly the sockets whose credential matches, with 4001", async () => {
    const registry = new SocketRegistry();
    const a = await connect();
    const b = await connect();
    registry.add(a.server, { userId: "u1", loginSessionId: "s1", role: "USER" });
    registry.add(b.server, { userId: "u1", apiTokenId: "t1", role: "USER" });
    expect(registry.authenticatedCount()).toBe(2);
    expect(registry.revoke({ loginSessionId: "s1" }, "revoked").sockets).toBe(1);
    const [code] = (await once(a.client, "close")) as [number];
    expect(code).toBe(CLOSE_CREDENTIALS_REVOKED);
    expect(b.client.readyState).toBe(WebSocket.OPEN);
    // Closed sockets are forgotten.
    expect(registry.revoke({ loginSessionId: "s1" }, "again").sockets).toBe(0);
    expect(registry.revoke({ apiTokenId: "t2" }, "another token").sockets).toBe(0);
    expect(registry.revoke({ userId: "u1" }, "role changed").sockets).toBe(1);
    expect(registry.authenticatedCount()).toBe(0);
  });

  it("counts open sockets (ConnectionCount, which the transport moves and health reads)", async () => {
    const connections = new ConnectionCount();
    const a = await connect();
    a.server.once("close", connections.opened());
    expect(connections.open).toBe(1);
    a.client.close();
    await once(a.server, "close");
    expect(connections.open).toBe(0);
  });

  it("counts a connection's close once, however often it is reported", () => {
    const connections = new ConnectionCount();
    const closed = connections.opened();
    closed();
    closed();
    expect(connections.open).toBe(0);
  });

  it("does not keep a socket that closed while it was being authenticated", async () => {
    const registry = new SocketRegistry();
    const a = await connect();
    a.client.close();
    await once(a.server, "close");
    // Authentication finished after the client had gone: there is nothing left to revoke.
    registry.add(a.server, { userId: "u2", loginSessionId: "s2", role: "USER" });
    expect(registry.revoke({ userId: "u2" }, "revoked").sockets).toBe(0);
  });

  it("closes a socket whose credential was revoked while it was being authenticated", async () => {
    const registry = new SocketRegistry();
    const a = await connect();
    const b = await connect();
    const mark = registry.mark(); // authentication starts; the database says yes…
    registry.revoke({ loginSessionId: "s3" }, "revoked"); // …and the revocation lands before registration
    registry.add(a.server, { userId: "u3", loginSessionId: "s3", role: "USER" }, mark);
    registry.add(b.server, { userId: "u3", loginSessionId: "s4", role: "USER" }, mark); // another login of the same user stays
    const [code] = (await once(a.client, "close")) as [number];
    expect(code).toBe(CLOSE_CREDENTIALS_REVOKED);
    expect(b.client.readyState).toBe(WebSocket.OPEN);
    expect(registry.authenticatedCount()).toBe(1);
    // A socket authenticated after the revocation (its mark is later) is not affected by it.
    const c = await connect();
    registry.add(c.server, { userId: "u3", loginSessionId: "s3", role: "USER" }, registry.mark());
    expect(registry.authenticatedCount()).toBe(2);
  });
});

describe("SocketRegistry: live streams", () => {
  const login = { userId: "u5", loginSessionId: "s5", role: "USER" } as const;
  const asAdmin = { userId: "u6", loginSessionId: "s6", role: "ADMIN" } as const;

  it("ends the streams of a revoked login or token with UNAUTHORIZED, and only those", () => {
    const registry = new SocketRegistry();
    const ended: Record<string, StreamEnd> = {};
    registry.holdStream({ credential: login, end: (why) => (ended.login = why) }, registry.mark());
    registry.holdStream({ credential: { userId: "u5", apiTokenId: "t5", role: "USER" }, end: (why) => (ended.token = why) }, registry.mark());
    registry.holdStream({ credential: { userId: "u5", loginSessionId: "other", role: "USER" }, end: (why) => (ended.other = why) }, registry.mark());
    expect(registry.revoke({ loginSessionId: "s5" }, "signed out")).toEqual({ sockets: 0, streams: 1 });
    expect(ended.login?.code).toBe("UNAUTHORIZED");
    expect(registry.revoke({ apiTokenId: "t5" }, "revoked").streams).toBe(1);
    expect(ended.token).toEqual({ code: "UNAUTHORIZED", message: "This API token was revoked." });
    expect(ended.other).toBeUndefined();
    expect(registry.streamCount()).toBe(1);
  });

  it("ends an admin's streams with FORBIDDEN when they are demoted; a promotion or a user's own streams go on", () => {
    const registry = new SocketRegistry();
    const ended: StreamEnd[] = [];
    registry.holdStream({ credential: asAdmin, end: (why) => ended.push(why) }, registry.mark());
    registry.holdStream({ credential: { ...login }, end: (why) => ended.push(why) }, registry.mark());
    expect(registry.revoke({ userId: "u5", role: "ADMIN" }, "promoted").streams).toBe(0);
    expect(registry.revoke({ userId: "u6", role: "ADMIN" }, "role unchanged").streams).toBe(0);
    expect(registry.revoke({ userId: "u6", role: "USER" }, "demoted").streams).toBe(1);
    expect(ended).toEqual([{ code: "FORBIDDEN", message: expect.stringMatching(/admin role was removed/) }]);
  });

  it("ends at once a stream whose credential was revoked while it was being authorized; releasing forgets it", () => {
    const registry = new SocketRegistry();
    const mark = registry.mark();
    registry.revoke({ loginSessionId: "s5" }, "signed out");
    let why: StreamEnd | undefined;
    registry.holdStream({ credential: login, end: (reason) => (why = reason) }, mark);
    expect(why?.code).toBe("UNAUTHORIZED");
    expect(registry.streamCount()).toBe(0);
    const release = registry.holdStream({ credential: login, end: () => undefined }, registry.mark());
    expect(registry.streamCount()).toBe(1);
    release();
    expect(registry.streamCount()).toBe(0);
  });

  it("lists each held credential once, sockets and streams together", async () => {
    const registry = new SocketRegistry();
    const a = await connect();
    registry.add(a.server, login);
    registry.holdStream({ credential: login, end: () => undefined }, registry.mark());
    registry.holdStream({ credential: asAdmin, end: () => undefined }, registry.mark());
    expect(registry.heldCredentials()).toEqual([login, asAdmin]);
  });
});
