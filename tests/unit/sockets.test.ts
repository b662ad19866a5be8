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
afterAll(() => new Promise<void>((resolve) => wss.close(() => resolve())));

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
    expect(registry.closeWhere((c) => c.loginSessionId === "s1", "revoked")).toBe(1);
    const [code] = (await once(a.client, "close")) as [number];
    expect(code).toBe(CLOSE_CREDENTIALS_REVOKED);
    expect(b.client.readyState).toBe(WebSocket.OPEN);
    // Closed sockets are forgotten.
    expect(registry.closeWhere((c) => c.loginSessionId === "s1", "again")).toBe(0);
    expect(registry.closeWhere((c) => c.userId === "u1", "role changed")).toBe(1);
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
    expect(registry.closeWhere(() => true, "revoked")).toBe(0);
  });
});
