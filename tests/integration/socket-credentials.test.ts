/**
 * Sockets' callers are remembered for a few seconds (trpc/credential-cache.ts), so that a client
 * opening many sockets with one credential costs one lookup. What must hold: a remembered caller
 * never outlives its credential — not on the instance that revoked it (not even for the moment
 * the bus takes), not on another once the revocation reaches it, and not across a role change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { RawSocket, within } from "./support/raw";

const REVOKED = 4001;

let server: TestServer;
let other: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  other = await startTestServer({}, server.database);
  admin = await signUp(server, "The admin");
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await other?.stop();
  await server?.stop();
});

async function whoIs(target: TestServer, token: string): Promise<{ socket: RawSocket; me: { id: string; role: string } | null }> {
  const socket = await RawSocket.open(target.url, { token });
  sockets.push(socket);
  return { socket, me: await socket.call<{ id: string; role: string } | null>("query", "auth.me") };
}

describe("remembered socket credentials", () => {
  it("many sockets with one token are each that token's caller", async () => {
    const account = await signUp(server);
    const { token } = await server.client(account.token).auth.createApiToken.mutate({ name: "many" });
    const opened = await Promise.all(Array.from({ length: 8 }, () => whoIs(server, token)));
    expect(opened.map((o) => o.me?.id)).toEqual(opened.map(() => account.user.id));
  });

  it("a socket opened right after its token was revoked here is anonymous", async () => {
    const account = await signUp(server);
    const owner = server.client(account.token);
    const { token, id } = await owner.auth.createApiToken.mutate({ name: "revoked at once" });
    expect((await whoIs(server, token)).me?.id).toBe(account.user.id);
    await owner.auth.revokeApiToken.mutate({ tokenId: id });
    expect((await whoIs(server, token)).me).toBeNull();
  });

  it("a socket opened right after signing out here is anonymous", async () => {
    const account = await signUp(server);
    expect((await whoIs(server, account.token)).me?.id).toBe(account.user.id);
    await server.client(account.token).auth.signOut.mutate();
    expect((await whoIs(server, account.token)).me).toBeNull();
  });

  it("on another instance, once the revocation reached it, a new socket with the token is anonymous", async () => {
    const account = await signUp(server);
    const owner = server.client(account.token);
    const { token, id } = await owner.auth.createApiToken.mutate({ name: "revoked elsewhere" });
    const remote = await whoIs(other, token);
    expect(remote.me?.id).toBe(account.user.id);
    await owner.auth.revokeApiToken.mutate({ tokenId: id });
    expect((await within(remote.socket.closed, "the remote socket to close")).code).toBe(REVOKED);
    expect((await whoIs(other, token)).me).toBeNull();
  });

  it("a new socket carries a changed role at once, on both instances", async () => {
    const target = await signUp(server, "Promoted");
    const { token } = await server.client(target.token).auth.createApiToken.mutate({ name: "role" });
    const here = await whoIs(server, token);
    const there = await whoIs(other, token);
    expect([here.me?.role, there.me?.role]).toEqual(["USER", "USER"]);
    await server.client(admin.token).users.setRole.mutate({ userId: target.user.id, role: "ADMIN" });
    expect((await whoIs(server, token)).me?.role).toBe("ADMIN");
    await within(there.socket.closed, "the other instance's socket to close");
    expect((await whoIs(other, token)).me?.role).toBe("ADMIN");
  });
});
