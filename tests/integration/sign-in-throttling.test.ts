/**
 * Sign-in throttling without lock-out, behind one trusted proxy (TRUST_PROXY=1, as on Render):
 * failures per (email, address) pair, a progressive per-email slowdown across addresses, and the
 * owner getting in from a new address after an attacker's failures.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server";
import { mutate, sql } from "./support/raw";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    trustProxy: 1,
    signInAttemptsPerIp: 1_000,
    signInFailuresPerPair: 5,
    signInSlowdownAfter: 10,
    signInSlowdownMaxS: 2,
  });
});
afterAll(() => server?.stop());

/** As Render's proxy forwards it: whatever the client wrote, then the address the proxy saw. */
const via = (address: string, forged?: string) => ({ headers: { "X-Forwarded-For": forged ? `${forged}, ${address}` : address } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function account(address: string) {
  const email = `owner-${randomUUID()}@example.com`;
  const password = "correct horse battery";
  const created = await mutate(server.url, "auth.signUp", { email, password, name: "Owner" }, via(address));
  expect(created.status).toBe(200);
  return { email, password };
}

const signIn = (email: string, password: string, address: string, forged?: string) => mutate(server.url, "auth.signIn", { email, password }, via(address, forged));

describe("sign-in throttling", () => {
  it("blocks the attacker's address after 5 failures however it rotates the leftmost X-Forwarded-For; the owner signs in from a new address", async () => {
    const owner = await account("192.0.2.1");
    const attacker = "203.0.113.66";
    const codes: string[] = [];
    for (let i = 0; i < 30; i++) {
      const attempt = await signIn(owner.email, `guess ${i}`, attacker, `10.${i}.${i}.${i}`);
      codes.push(attempt.error?.data.code ?? "OK");
      if (attempt.status === 429) {
        expect(Number(attempt.headers.get("retry-after"))).toBeGreaterThan(0);
        expect(attempt.error!.message).toMatch(/Too many failed sign-ins for this account from your address\. Try again in \d+ minute/);
      }
    }
    expect(codes).toEqual([...Array(5).fill("UNAUTHORIZED"), ...Array(25).fill("TOO_MANY_REQUESTS")]);
    // The attacker's address stays blocked even with the right password…
    expect((await signIn(owner.email, owner.password, attacker, "198.51.100.1")).status).toBe(429);
    // …and the owner, from an address of their own, gets in at once.
    const signedIn = await signIn(owner.email, owner.password, "198.51.100.77");
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("set-cookie")).toMatch(/^pulse_session=/);

    // Each failure is in the audit log, under the address the proxy saw (never a forged one); refusals were not attempts.
    const audited = await sql<{ ip: string }>(server.pulse.databaseUrl, `SELECT ip FROM "AuditLog" WHERE action = 'auth.signInFailed' AND target = $1`, [owner.email]);
    expect(audited.map((row) => row.ip)).toEqual(Array(5).fill(attacker));
    const [login] = await sql<{ ip: string }>(server.pulse.databaseUrl, `SELECT s.ip FROM "LoginSession" s JOIN "User" u ON u.id = s."userId" WHERE u.email = $1 ORDER BY s."createdAt" DESC LIMIT 1`, [owner.email]);
    expect(login!.ip).toBe("198.51.100.77");
  });

  it("a successful sign-in clears its address's failures", async () => {
    const owner = await account("192.0.2.2");
    const home = "198.51.100.2";
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await signIn(owner.email, "typo", home)).status).toBe(401);
      expect((await signIn(owner.email, owner.password, home)).status).toBe(200);
    }
  });

  it("slows an email down across addresses past 10 failures a day, without locking it: the owner still gets in", async () => {
    const owner = await account("192.0.2.3");
    const known = "192.0.2.30";
    expect((await signIn(owner.email, owner.password, known)).status).toBe(200);

    // Ten failures from ten addresses (a botnet: no address repeats, so no pair is blocked).
    for (let i = 0; i < 10; i++) expect((await signIn(owner.email, `guess ${i}`, `203.0.113.${100 + i}`)).status).toBe(401);
    // The tenth made the next attempt on the email wait a second, from anywhere.
    const slowed = await signIn(owner.email, "guess 10", "203.0.113.110");
    expect(slowed.status).toBe(429);
    expect(slowed.error!.message).toMatch(/attempts are slowed down\. Try again in 1 s\./);
    expect(slowed.headers.get("retry-after")).toBe("1");
    await sleep(1_100);
    // After the wait, an attempt goes through (and failing, makes the next wait longer: 2 s).
    expect((await signIn(owner.email, "guess 11", "203.0.113.111")).status).toBe(401);
    // The owner, from an address the account has signed in from, is not slowed at all…
    expect((await signIn(owner.email, owner.password, known)).status).toBe(200);
    // …from a new one, waits at most the slowdown, never a lock-out.
    const fresh = "198.51.100.3";
    const waited = await signIn(owner.email, owner.password, fresh);
    expect(waited.status).toBe(429);
    const retryAfter = Number(waited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(2);
    await sleep(retryAfter * 1000 + 100);
    expect((await signIn(owner.email, owner.password, fresh)).status).toBe(200);
  });
});
