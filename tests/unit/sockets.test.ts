import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { CLOSE_CREDENTIALS_REVOKED, SocketRegistry } from "../../src/server/trpc/sockets";

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
    registry.add(a.server, { userId: "u1", loginSessionId: "s1" });
    registry.add(b.server, { userId: "u1", apiTokenId: "t1" });
    expect(registry.authenticatedCount()).toBe(2);
    expect(registry.revoke({ loginSessionId: "s1" }, "revoked")).toBe(1);
    const [code] = (await once(a.client, "close")) as [number];
    expect(code).toBe(CLOSE_CREDENTIALS_REVOKED);
    expect(b.client.readyState).toBe(WebSocket.OPEN);
    // Closed sockets are forgotten.
    expect(registry.revoke({ loginSessionId: "s1" }, "again")).toBe(0);
    expect(registry.revoke({ apiTokenId: "t2" }, "another token")).toBe(0);
    expect(registry.revoke({ userId: "u1" }, "role changed")).toBe(1);
    expect(registry.authenticatedCount()).toBe(0);
  });

  it("counts open sockets", async () => {
    const registry = new SocketRegistry();
    const a = await connect();
    registry.track(a.server);
    expect(registry.openCount()).toBe(1);
    a.client.close();
    await once(a.server, "close");
    expect(registry.openCount()).toBe(0);
  });

  it("does not keep a socket that closed while it was being authenticated", async () => {
    const registry = new SocketRegistry();
    const a = await connect();
    a.client.close();
    await once(a.server, "close");
    // Authentication finished after the client had gone: there is nothing left to revoke.
    registry.add(a.server, { userId: "u2", loginSessionId: "s2" });
    expect(registry.revoke({ userId: "u2" }, "revoked")).toBe(0);
  });

  it("closes a socket whose credential was revoked while it was being authenticated", async () => {
    const registry = new SocketRegistry();
    const a = await connect();
    const b = await connect();
    const mark = registry.mark(); // authentication starts; the database says yes…
    registry.revoke({ loginSessionId: "s3" }, "revoked"); // …and the revocation lands before registration
    registry.add(a.server, { userId: "u3", loginSessionId: "s3" }, mark);
    registry.add(b.server, { userId: "u3", loginSessionId: "s4" }, mark); // another login of the same user stays
    const [code] = (await once(a.client, "close")) as [number];
    expect(code).toBe(CLOSE_CREDENTIALS_REVOKED);
    expect(b.client.readyState).toBe(WebSocket.OPEN);
    expect(registry.authenticatedCount()).toBe(1);
    // A socket authenticated after the revocation (its mark is later) is not affected by it.
    const c = await connect();
    registry.add(c.server, { userId: "u3", loginSessionId: "s3" }, registry.mark());
    expect(registry.authenticatedCount()).toBe(2);
  });
});
