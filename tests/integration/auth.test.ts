import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, mutate, query, sql } from "./support/raw";

const CHROME_ON_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Parses one Set-Cookie header into its name, value and attributes (lower-cased names). */
function parseSetCookie(header: string | null) {
  expect(header, "a Set-Cookie header").toBeTruthy();
  const [pair, ...rest] = header!.split(";").map((s) => s.trim());
  const eq = pair!.indexOf("=");
  const attributes = new Map(
    rest.map((a) => {
      const i = a.indexOf("=");
      return i < 0 ? [a.toLowerCase(), ""] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    }),
  );
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
}

let server: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  server = await startTestServer();
  admin = await signUp(server, "Ada");
});
afterAll(() => server?.stop());

describe("sign up", () => {
  it("makes the first account an admin and later ones users", async () => {
    expect(admin.user.role).toBe("ADMIN");
    expect(admin.token).toMatch(/^pls_/);
    const me = await server.client(admin.token).auth.me.query();
    expect(me?.id).toBe(admin.user.id);

    const second = await signUp(server, "Bo");
    expect(second.user.role).toBe("USER");
    expect(second.user).toEqual({ id: expect.any(String), email: second.email, name: "Bo", role: "USER", createdAt: expect.any(Date) });
  });

  it("stores the password as an argon2id hash, never the password", async () => {
    const { user, password } = await signUp(server);
    const [row] = await sql<{ passwordHash: string }>(server.database.url, `SELECT "passwordHash" FROM "User" WHERE id = $1`, [user.id]);
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row!.passwordHash).not.toContain(password);
  });

  it("sets an HttpOnly, SameSite=Lax session cookie for 24 hours that signs the browser in", async () => {
    const email = `cookie${Date.now()}@example.com`;
    const response = await mutate<{ token: string }>(server.url, "auth.signUp", { email, password: "correct horse battery", name: "Cookie" });
    expect(response.status).toBe(200);
    const cookie = parseSetCookie(response.headers.get("set-cookie"));
    expect(cookie.name).toBe("pulse_session");
    expect(cookie.value).toBe(response.data!.token);
    expect(cookie.attributes.has("httponly")).toBe(true);
    expect(cookie.attributes.get("samesite")).toBe("Lax");
    expect(cookie.attributes.get("max-age")).toBe(String(24 * 60 * 60));
    expect(cookie.attributes.get("path")).toBe("/");
    expect(cookie.attributes.has("secure")).toBe(false); // not configured in tests: see the ADMIN_EMAILS server below

    const me = await query<{ email: string } | null>(server.url, "auth.me", undefined, { cookie: `pulse_session=${cookie.value}` });
    expect(me.data?.email).toBe(email);
  });
});

describe("sign in", () => {
  it("returns the user and a new login token, sets the cookie, and ignores the email's case", async () => {
    const account = await signUp(server, "Case");
    const response = await mutate<{ user: { id: string }; token: string }>(server.url, "auth.signIn", {
      email: account.email.toUpperCase(),
      password: account.password,
    });
    expect(response.status).toBe(200);
    expect(response.data!.user.id).toBe(account.user.id);
    expect(response.data!.token).toMatch(/^pls_/);
    expect(response.data!.token).not.toBe(account.token);
    expect(parseSetCookie(response.headers.get("set-cookie")).value).toBe(response.data!.token);
    expect((await server.client(response.data!.token).auth.me.query())?.id).toBe(account.user.id);
  });

  it("answers a wrong email and a wrong password identically", async () => {
    const account = await signUp(server);
    const wrongPassword = await mutate(server.url, "auth.signIn", { email: account.email, password: "not the password" });
    const wrongEmail = await mutate(server.url, "auth.signIn", { email: `nobody${Date.now()}@example.com`, password: account.password });
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(wrongPassword.status);
    expect(wrongEmail.error!.data.code).toBe("UNAUTHORIZED");
    expect(wrongEmail.error!.data.code).toBe(wrongPassword.error!.data.code);
    expect(wrongEmail.error!.code).toBe(wrongPassword.error!.code);
    expect(wrongEmail.error!.message).toBe(wrongPassword.error!.message);
    expect(wrongEmail.headers.get("set-cookie")).toBeNull();
    expect(wrongPassword.headers.get("set-cookie")).toBeNull();
  });
});

describe("me and sign out", () => {
  it("me is null for an anonymous caller and an unknown token", async () => {
    expect(await server.client().auth.me.query()).toBeNull();
    expect(await server.client("pls_not-a-real-token").auth.me.query()).toBeNull();
  });

  it("signing out revokes the login session and clears the cookie", async () => {
    const account = await signUp(server);
    const other = await server.client().auth.signIn.mutate({ email: account.email, password: account.password });
    const response = await mutate<{ signedOut: boolean }>(server.url, "auth.signOut", undefined, { token: account.token });
    expect(response.data).toEqual({ signedOut: true });
    const cleared = parseSetCookie(response.headers.get("set-cookie"));
    expect(cleared.name).toBe("pulse_session");
    expect(cleared.value).toBe("");
    expect(cleared.attributes.get("max-age")).toBe("0");

    expect(await server.client(account.token).auth.me.query()).toBeNull();
    expect(await codeOf(server.client(account.token).auth.sessions.query())).toBe("UNAUTHORIZED");
    // Only that login: the account's other session still works.
    expect((await server.client(other.token).auth.me.query())?.id).toBe(account.user.id);
    const [row] = await sql<{ revokedAt: Date | null }>(server.database.url, `SELECT "revokedAt" FROM "LoginSession" WHERE "tokenHash" = $1`, [
      sha256(account.token),
    ]);
    expect(row!.revokedAt).toBeInstanceOf(Date);
  });

  it("signing out anonymously is harmless", async () => {
    expect(await server.client().auth.signOut.mutate()).toEqual({ signedOut: false });
  });
});

describe("login sessions", () => {
  it("lists my login sessions with device, IP and last use, marking the current one", async () => {
    const account = await signUp(server);
    const browser = await mutate<{ token: string }>(
      server.url,
      "auth.signIn",
      { email: account.email, password: account.password },
      { headers: { "User-Agent": CHROME_ON_LINUX } },
    );
    const sessions = await server.client(account.token).auth.sessions.query();
    expect(sessions).toHaveLength(2);
    const current = sessions.find((s) => s.current)!;
    const chrome = sessions.find((s) => !s.current)!;
    expect(current.device).toBe("Node.js program");
    expect(chrome.device).toBe("Chrome on Linux");
    expect(chrome.userAgent).toBe(CHROME_ON_LINUX);
    for (const session of sessions) {
      expect(session.lastUsedAt).toBeInstanceOf(Date);
      expect(session.createdAt).toBeInstanceOf(Date);
      expect(session.ip).toMatch(/127\.0\.0\.1/);
      expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now());
    }
    // Secrets are never listed.
    expect(JSON.stringify(sessions)).not.toContain(account.token);
    expect(JSON.stringify(sessions)).not.toContain(browser.data!.token);
    // Another user's sessions are not mine.
    const stranger = await signUp(server);
    expect(await server.client(stranger.token).auth.sessions.query()).toHaveLength(1);
  });

  it("stores login tokens hashed", async () => {
    const account = await signUp(server);
    const rows = await sql(server.database.url, `SELECT * FROM "LoginSession" WHERE "userId" = $1`, [account.user.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(account.token);
    expect(rows[0]!.tokenHash).toBe(sha256(account.token));
  });

  it("slides the 24-hour expiry forward when a session is used", async () => {
    const account = await signUp(server);
    const hash = sha256(account.token);
    await sql(
      server.database.url,
      `UPDATE "LoginSession" SET "lastUsedAt" = now() - interval '2 hours', "expiresAt" = now() + interval '1 hour' WHERE "tokenHash" = $1`,
      [hash],
    );
    expect((await server.client(account.token).auth.me.query())?.id).toBe(account.user.id);
    const [row] = await sql<{ expiresAt: Date; lastUsedAt: Date }>(
      server.database.url,
      `SELECT "expiresAt", "lastUsedAt" FROM "LoginSession" WHERE "tokenHash" = $1`,
      [hash],
    );
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(row!.lastUsedAt.getTime()).toBeGreaterThan(Date.now() - 3600_000);
  });

  it("renews a browser's cookie when its login slides forward, and not on every request", async () => {
    const account = await signUp(server);
    const age = `UPDATE "LoginSession" SET "lastUsedAt" = now() - interval '2 hours' WHERE "tokenHash" = $1`;
    await sql(server.database.url, age, [sha256(account.token)]);
    const renewed = await query(server.url, "auth.me", undefined, { cookie: `pulse_session=${account.token}` });
    const cookie = parseSetCookie(renewed.headers.get("set-cookie"));
    expect(cookie).toMatchObject({ name: "pulse_session", value: account.token });
    expect(cookie.attributes.get("max-age")).toBe(String(24 * 60 * 60));
    // Used again at once: nothing slid, nothing to renew.
    expect((await query(server.url, "auth.me", undefined, { cookie: `pulse_session=${account.token}` })).headers.get("set-cookie")).toBeNull();
    // A program's bearer login is never sent a cookie.
    await sql(server.database.url, age, [sha256(account.token)]);
    expect((await query(server.url, "auth.me", undefined, { token: account.token })).headers.get("set-cookie")).toBeNull();
  });

  it("revokes another of my sessions, but never someone else's", async () => {
    const account = await signUp(server);
    const laptop = await server.client().auth.signIn.mutate({ email: account.email, password: account.password });
    const mine = server.client(account.token);
    const laptopSession = (await mine.auth.sessions.query()).find((s) => !s.current)!;

    const stranger = await signUp(server);
    expect(await codeOf(server.client(stranger.token).auth.revokeSession.mutate({ sessionId: laptopSession.id }))).toBe("NOT_FOUND");
    expect((await server.client(laptop.token).auth.me.query())?.id).toBe(account.user.id);

    expect(await mine.auth.revokeSession.mutate({ sessionId: laptopSession.id })).toEqual({ revoked: true });
    expect(await server.client(laptop.token).auth.me.query()).toBeNull();
    expect((await mine.auth.sessions.query()).map((s) => s.id)).not.toContain(laptopSession.id);
    expect(await codeOf(mine.auth.revokeSession.mutate({ sessionId: laptopSession.id }))).toBe("NOT_FOUND");
    expect((await mine.auth.me.query())?.id).toBe(account.user.id);
  });
});

describe("API tokens", () => {
  it("shows the secret once, stores only its hash, and lists tokens without it", async () => {
    const account = await signUp(server);
    const client = server.client(account.token);
    const created = await client.auth.createApiToken.mutate({ name: "CI" });
    expect(created).toEqual({ id: expect.any(String), name: "CI", token: expect.stringMatching(/^pat_/) });

    const rows = await sql(server.database.url, `SELECT * FROM "ApiToken" WHERE id = $1`, [created.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(12));
    expect(rows[0]!.tokenHash).toBe(sha256(created.token));

    const listed = await client.auth.listApiTokens.query();
    expect(listed).toEqual([
      { id: created.id, name: "CI", prefix: created.token.slice(0, 12), createdAt: expect.any(Date), lastUsedAt: null },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.token);
  });

  it("authenticates a program with Authorization: Bearer and records its last use", async () => {
    const account = await signUp(server);
    const { id, token } = await server.client(account.token).auth.createApiToken.mutate({ name: "script" });
    const program = server.client(token);
    expect((await program.auth.me.query())?.id).toBe(account.user.id);
    const [listed] = await program.auth.listApiTokens.query();
    expect(listed!.id).toBe(id);
    expect(listed!.lastUsedAt).toBeInstanceOf(Date);
    // A program's bearer token is not a login session: signing out with it revokes nothing.
    expect(await program.auth.signOut.mutate()).toEqual({ signedOut: false });
    expect((await program.auth.me.query())?.id).toBe(account.user.id);
  });

  it("revokes a token: it stops working and leaves the list; only its owner can revoke it", async () => {
    const account = await signUp(server);
    const owner = server.client(account.token);
    const keep = await owner.auth.createApiToken.mutate({ name: "keep" });
    const drop = await owner.auth.createApiToken.mutate({ name: "drop" });

    const stranger = await signUp(server);
    expect(await codeOf(server.client(stranger.token).auth.revokeApiToken.mutate({ tokenId: drop.id }))).toBe("NOT_FOUND");
    expect((await server.client(drop.token).auth.me.query())?.id).toBe(account.user.id);

    expect(await owner.auth.revokeApiToken.mutate({ tokenId: drop.id })).toEqual({ revoked: true });
    expect(await server.client(drop.token).auth.me.query()).toBeNull();
    expect(await codeOf(server.client(drop.token).auth.listApiTokens.query())).toBe("UNAUTHORIZED");
    expect((await owner.auth.listApiTokens.query()).map((t) => t.id)).toEqual([keep.id]);
    expect((await server.client(keep.token).auth.me.query())?.id).toBe(account.user.id);
    expect(await codeOf(owner.auth.revokeApiToken.mutate({ tokenId: drop.id }))).toBe("NOT_FOUND");
  });

  it("needs a signed-in caller", async () => {
    expect(await codeOf(server.client().auth.createApiToken.mutate({ name: "x" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(server.client().auth.listApiTokens.query())).toBe("UNAUTHORIZED");
  });
});

describe("ADMIN_EMAILS and secure cookies", () => {
  let configured: TestServer;
  beforeAll(async () => {
    configured = await startTestServer({ adminEmails: ["boss@example.com"], secureCookies: true });
  });
  afterAll(() => configured?.stop());

  it("makes exactly one of several simultaneous first sign-ups the admin", async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        configured.client().auth.signUp.mutate({ email: `early${i}@example.com`, password: "correct horse battery", name: `Early ${i}` }),
      ),
    );
    expect(results.filter((r) => r.user.role === "ADMIN")).toHaveLength(1);
  });

  it("promotes an address listed in ADMIN_EMAILS, whatever its case", async () => {
    const boss = await configured.client().auth.signUp.mutate({ email: "Boss@Example.com", password: "correct horse battery", name: "Boss" });
    expect(boss.user.role).toBe("ADMIN");
    expect(boss.user.email).toBe("boss@example.com");
    const worker = await configured.client().auth.signUp.mutate({ email: "worker@example.com", password: "correct horse battery", name: "W" });
    expect(worker.user.role).toBe("USER");
  });

  it("marks the session cookie Secure when configured", async () => {
    const response = await mutate(configured.url, "auth.signIn", { email: "boss@example.com", password: "correct horse battery" });
    expect(response.status).toBe(200);
    const cookie = parseSetCookie(response.headers.get("set-cookie"));
    expect(cookie.attributes.has("secure")).toBe(true);
    expect(cookie.attributes.has("httponly")).toBe(true);
    expect(cookie.attributes.get("samesite")).toBe("Lax");
    const cleared = await mutate(configured.url, "auth.signOut", undefined, { cookie: `pulse_session=${cookie.value}` });
    expect(parseSetCookie(cleared.headers.get("set-cookie")).attributes.has("secure")).toBe(true);
  });
});

describe("sign-in throttling", () => {
  it("limits failures per email and address, without locking out other emails", async () => {
    const limited = await startTestServer({ signInFailuresPerPair: 3, signInAttemptsPerIp: 1_000 });
    try {
      const victim = await signUp(limited);
      const bystander = await signUp(limited);
      for (let i = 0; i < 3; i++) {
        const attempt = await mutate(limited.url, "auth.signIn", { email: victim.email, password: `wrong ${i}` });
        expect(attempt.error?.data.code).toBe("UNAUTHORIZED");
      }
      // Even the right password is refused now.
      const blocked = await mutate(limited.url, "auth.signIn", { email: victim.email, password: victim.password });
      expect(blocked.status).toBe(429);
      expect(blocked.error!.data.code).toBe("TOO_MANY_REQUESTS");
      expect(blocked.error!.message).toMatch(/try again/i);
      // When to try again, for programs: a header over HTTP, and in the error's data for any transport.
      const retryAfter = Number(blocked.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(blocked.error!.data.retryAfterS).toBe(retryAfter);
      expect(blocked.headers.get("set-cookie")).toBeNull();
      // A refusal for any other reason says nothing of retrying.
      const wrong = await mutate(limited.url, "auth.signIn", { email: bystander.email, password: "wrong" });
      expect(wrong.headers.get("retry-after")).toBeNull();
      expect(wrong.error!.data.retryAfterS).toBeNull();
      // The limit is per email: another account from the same address signs in.
      const other = await mutate(limited.url, "auth.signIn", { email: bystander.email, password: bystander.password });
      expect(other.status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it("limits attempts per IP address, across emails", async () => {
    const limited = await startTestServer({ signInAttemptsPerIp: 3, signInFailuresPerPair: 1_000, trustProxy: 1 });
    try {
      const account = await signUp(limited);
      const from = (ip: string) => ({ headers: { "X-Forwarded-For": ip } });
      for (let i = 0; i < 3; i++) {
        const attempt = await mutate(limited.url, "auth.signIn", { email: `guess${i}@example.com`, password: "guess" }, from("203.0.113.7"));
        expect(attempt.error?.data.code).toBe("UNAUTHORIZED");
      }
      const blocked = await mutate(limited.url, "auth.signIn", { email: account.email, password: account.password }, from("203.0.113.7"));
      expect(blocked.status).toBe(429);
      expect(blocked.error!.data.code).toBe("TOO_MANY_REQUESTS");
      // Another address is not affected.
      const elsewhere = await mutate(limited.url, "auth.signIn", { email: account.email, password: account.password }, from("198.51.100.9"));
      expect(elsewhere.status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
