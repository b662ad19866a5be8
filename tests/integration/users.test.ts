import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, query, sql } from "./support/raw";

let server: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let user: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  server = await startTestServer();
  admin = await signUp(server, "Admin");
  user = await signUp(server, "Plain User");
});
afterAll(() => server?.stop());

describe("users.byId", () => {
  it("shows anyone else only the public profile: no email, no role", async () => {
    const found = await server.client(user.token).users.byId.query({ id: admin.user.id });
    expect(found).toEqual({ id: admin.user.id, name: "Admin", initials: "AD" });
    // The same over raw HTTP: nothing more is on the wire than the typed client shows.
    const raw = await query<Record<string, unknown>>(server.url, "users.byId", { id: admin.user.id }, { token: user.token });
    expect(Object.keys(raw.data!).sort()).toEqual(["id", "initials", "name"]);
    expect(raw.text).not.toContain(admin.email);
  });

  it("shows a user their own email and role, and an admin anyone's", async () => {
    const own = await server.client(user.token).users.byId.query({ id: user.user.id });
    expect(own).toEqual({ id: user.user.id, name: "Plain User", initials: "PU", email: user.email, role: "USER", createdAt: expect.any(Date) });
    const byAdmin = await server.client(admin.token).users.byId.query({ id: user.user.id });
    expect(byAdmin).toEqual(own);
    expect(Object.keys(byAdmin)).not.toContain("passwordHash");
  });

  it("hides them again from an admin who is demoted, on the next call", async () => {
    const second = await signUp(server, "Second Admin");
    await server.client(admin.token).users.setRole.mutate({ userId: second.user.id, role: "ADMIN" });
    expect(await server.client(second.token).users.byId.query({ id: user.user.id })).toMatchObject({ email: user.email });
    await server.client(admin.token).users.setRole.mutate({ userId: second.user.id, role: "USER" });
    expect(await server.client(second.token).users.byId.query({ id: user.user.id })).toEqual({ id: user.user.id, name: "Plain User", initials: "PU" });
  });

  it("is NOT_FOUND for an unknown id, BAD_REQUEST for a malformed one, UNAUTHORIZED anonymously", async () => {
    expect(await codeOf(server.client(user.token).users.byId.query({ id: randomUUID() }))).toBe("NOT_FOUND");
    expect(await codeOf(server.client(user.token).users.byId.query({ id: "not-a-uuid" }))).toBe("BAD_REQUEST");
    expect(await codeOf(server.client().users.byId.query({ id: admin.user.id }))).toBe("UNAUTHORIZED");
  });
});

describe("users.update", () => {
  it("changes my name and merges preferences", async () => {
    const account = await signUp(server, "Before");
    const client = server.client(account.token);
    const renamed = await client.users.update.mutate({ name: "  After  " });
    expect(renamed).toMatchObject({ id: account.user.id, name: "After", preferences: {} });

    await client.users.update.mutate({ preferences: { theme: "dark" } });
    const both = await client.users.update.mutate({ preferences: { reducedMotion: true } });
    expect(both.preferences).toEqual({ theme: "dark", reducedMotion: true });
    expect(both.name).toBe("After");

    expect((await client.auth.me.query())?.name).toBe("After");
    const [row] = await sql<{ preferences: unknown }>(server.database.url, `SELECT preferences FROM "User" WHERE id = $1`, [account.user.id]);
    expect(row!.preferences).toEqual({ theme: "dark", reducedMotion: true });
  });

  it("only ever changes the caller, and refuses unknown fields and values", async () => {
    const account = await signUp(server, "Careful");
    const client = server.client(account.token);
    // There is no way to name another user: an extra field is refused, not ignored.
    expect(await codeOf(client.users.update.mutate({ id: admin.user.id, name: "Hijack" } as never))).toBe("BAD_REQUEST");
    expect(await codeOf(client.users.update.mutate({ preferences: { theme: "purple" } } as never))).toBe("BAD_REQUEST");
    expect(await codeOf(client.users.update.mutate({ preferences: { fontSize: 40 } } as never))).toBe("BAD_REQUEST");
    expect(await codeOf(client.users.update.mutate({ name: "   " }))).toBe("BAD_REQUEST");
    expect(await codeOf(server.client().users.update.mutate({ name: "Nobody" }))).toBe("UNAUTHORIZED");
    expect((await server.client(admin.token).auth.me.query())?.name).toBe("Admin");
    expect((await client.auth.me.query())?.name).toBe("Careful");
  });
});

describe("users.list (admin)", () => {
  it("is FORBIDDEN to a user and UNAUTHORIZED anonymously", async () => {
    expect(await codeOf(server.client(user.token).users.list.query())).toBe("FORBIDDEN");
    expect(await codeOf(server.client().users.list.query())).toBe("UNAUTHORIZED");
  });

  it("pages through every user in sign-up order and searches by name or email", async () => {
    const extra = [];
    for (let i = 0; i < 3; i++) extra.push(await signUp(server, `Pager ${i}`));
    const client = server.client(admin.token);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const { items, nextCursor } = await client.users.list.query({ limit: 2, cursor });
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((u) => u.id));
      if (!nextCursor) break;
      cursor = nextCursor;
    }
    const [{ count }] = (await sql<{ count: string }>(server.database.url, `SELECT count(*) FROM "User"`)) as [{ count: string }];
    expect(seen).toHaveLength(Number(count));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen[0]).toBe(admin.user.id);

    const found = await client.users.list.query({ search: "PAGER 1" });
    expect(found.items.map((u) => u.id)).toEqual([extra[1]!.user.id]);
    const byEmail = await client.users.list.query({ search: extra[2]!.email.toUpperCase() });
    expect(byEmail.items.map((u) => u.id)).toEqual([extra[2]!.user.id]);
  });
});

describe("users.setRole (admin)", () => {
  it("is FORBIDDEN to a user, who cannot promote themselves", async () => {
    expect(await codeOf(server.client(user.token).users.setRole.mutate({ userId: user.user.id, role: "ADMIN" }))).toBe("FORBIDDEN");
    expect((await server.client(user.token).auth.me.query())?.role).toBe("USER");
  });

  it("promotes and demotes, takes effect on the next request, and is audited", async () => {
    const target = await signUp(server, "Promoted");
    const asAdmin = server.client(admin.token);
    const promoted = await asAdmin.users.setRole.mutate({ userId: target.user.id, role: "ADMIN" });
    expect(promoted.role).toBe("ADMIN");
    // The promoted user can now use admin procedures.
    expect((await server.client(target.token).users.list.query()).items.length).toBeGreaterThan(0);

    await asAdmin.users.setRole.mutate({ userId: target.user.id, role: "USER" });
    expect(await codeOf(server.client(target.token).users.list.query())).toBe("FORBIDDEN");

    const audit = await sql<{ actorId: string; detail: { from: string; to: string } }>(
      server.database.url,
      `SELECT "actorId", detail FROM "AuditLog" WHERE action = 'users.setRole' AND target = $1 ORDER BY id`,
      [target.user.id],
    );
    expect(audit.map((a) => [a.actorId, a.detail.from, a.detail.to])).toEqual([
      [admin.user.id, "USER", "ADMIN"],
      [admin.user.id, "ADMIN", "USER"],
    ]);
  });

  it("is NOT_FOUND for an unknown user", async () => {
    expect(await codeOf(server.client(admin.token).users.setRole.mutate({ userId: randomUUID(), role: "ADMIN" }))).toBe("NOT_FOUND");
  });
});

describe("the last admin", () => {
  let pair: TestServer;
  let a: Awaited<ReturnType<typeof signUp>>;
  beforeAll(async () => {
    pair = await startTestServer();
    a = await signUp(pair, "A");
  });
  afterAll(() => pair?.stop());

  it("cannot be demoted, by themselves or anyone", async () => {
    const code = await codeOf(pair.client(a.token).users.setRole.mutate({ userId: a.user.id, role: "USER" }));
    expect(code).not.toBe("OK");
    expect(code).not.toBe("INTERNAL_SERVER_ERROR");
    expect((await pair.client(a.token).auth.me.query())?.role).toBe("ADMIN");
  });

  it("survives two admins demoting each other at the same moment", async () => {
    const b = await signUp(pair, "B");
    await pair.client(a.token).users.setRole.mutate({ userId: b.user.id, role: "ADMIN" });
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled([
        pair.client(a.token).users.setRole.mutate({ userId: b.user.id, role: "USER" }),
        pair.client(b.token).users.setRole.mutate({ userId: a.user.id, role: "USER" }),
      ]);
      const [{ admins }] = (await sql<{ admins: string }>(pair.database.url, `SELECT count(*) AS admins FROM "User" WHERE role = 'ADMIN'`)) as [
        { admins: string },
      ];
      expect(Number(admins), `round ${round}: ${results.map((r) => r.status).join(", ")}`).toBe(1);
      // Restore two admins for the next round.
      await sql(pair.database.url, `UPDATE "User" SET role = 'ADMIN'`);
    }
  });
});
