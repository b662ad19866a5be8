import type { App } from "@/server/app";
import { Prisma } from "@/server/db/index";
import { AppError, notFound } from "@/server/errors";
import { announceRevocation, type HeldCredential, type Revocation } from "@/server/bus/revocations";
import { createSignInLimits } from "./sign-in-limits.js";
import { API_TOKEN_PREFIX, LOGIN_TOKEN_PREFIX, hashSecret, newSecret } from "./tokens.js";

export const SESSION_COOKIE = "pulse_session";
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
/** Sliding expiry is refreshed at most this often per session, so reads do not each write. */
const TOUCH_EVERY_MS = 60 * 1000;

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: "USER" | "ADMIN";
  createdAt: Date;
}

export interface Caller {
  user: PublicUser;
  loginSessionId?: string;
  apiTokenId?: string;
  /** The login's 24 hours were just slid forward: a browser's cookie is renewed to match. */
  renewed?: boolean;
  /** The call carries a running load test's secret: it is the measured load, so rate limits do not apply. */
  rateLimitExempt?: boolean;
  /** When the credential expires (ms since the epoch); absent: an API token without an expiry. */
  expiresAt?: number;
}

export interface RequestMeta {
  ip: string;
  userAgent?: string;
  /** Where this server is reached, for absolute links (`PUBLIC_URL`, else the request's own host). */
  origin: string;
}

const userSelect = { id: true, email: true, name: true, role: true, createdAt: true } as const;

interface CredentialRow extends PublicUser {
  credentialId: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}
const USER_COLUMNS = `u.id, u.email, u.name, u.role, u."createdAt"`;
const SESSION_LOOKUP = `SELECT c.id AS "credentialId", c."revokedAt", c."expiresAt", c."lastUsedAt", ${USER_COLUMNS}
  FROM "LoginSession" c JOIN "User" u ON u.id = c."userId" WHERE c."tokenHash" = $1`;
const TOKEN_LOOKUP = `SELECT c.id AS "credentialId", c."revokedAt", NULL::timestamptz AS "expiresAt", c."lastUsedAt", ${USER_COLUMNS}
  FROM "ApiToken" c JOIN "User" u ON u.id = c."userId" WHERE c."tokenHash" = $1`;

/**
 * argon2 is a native module that costs the process about 7 MB of resident memory once loaded:
 * loaded on the first sign-up or sign-in, not at start, since an API serving tokens never needs it.
 */
let argon2: Promise<typeof import("@node-rs/argon2")> | undefined;
const loadArgon2 = () => (argon2 ??= import("@node-rs/argon2"));
const hash = async (password: string) => (await loadArgon2()).hash(password);

// A real argon2id hash of a random password: verifying against it when the email is unknown
// costs the same time as a wrong password, so timing does not reveal which emails exist. Made
// by the first sign-in, before its account is looked up: that first one pays for it whichever
// its email, so neither does the first reveal anything.
let dummyHash: Promise<string> | undefined;
const dummyHashOnce = () => (dummyHash ??= hash(newSecret("")));

export function createAuthService(app: App) {
  const { db, pool, config, bus } = app;
  const limits = createSignInLimits(pool, config);

  async function startLoginSession(userId: string, meta: RequestMeta, tx: Prisma.TransactionClient = db) {
    const token = newSecret(LOGIN_TOKEN_PREFIX);
    await tx.loginSession.create({
      data: {
        userId,
        tokenHash: hashSecret(token),
        userAgent: meta.userAgent?.slice(0, 500),
        ip: meta.ip,
        expiresAt: new Date(Date.now() + SESSION_TTL_MS),
      },
    });
    return token;
  }

  /** Whether the account has signed in from this address before (LoginSession keeps each login's address). */
  async function knownAddress(userId: string, ip: string): Promise<boolean> {
    const { rowCount } = await pool.query(`SELECT 1 FROM "LoginSession" WHERE "userId" = $1 AND ip = $2 LIMIT 1`, [userId, ip]);
    return (rowCount ?? 0) > 0;
  }

  /** Tells every instance that a credential ended: each ends the streams and closes the sockets it carried. */
  function announceRevoked(revoked: Revocation) {
    return announceRevocation(bus, revoked);
  }

  /**
   * What the database says now about credentials held open (by sockets and live streams): the
   * logins revoked or expired, the tokens revoked, the roles changed — each as a revocation.
   */
  async function endedCredentials(held: HeldCredential[]): Promise<Revocation[]> {
    if (!held.length) return [];
    const ids = (key: "loginSessionId" | "apiTokenId" | "userId") => [...new Set(held.flatMap((c) => (c[key] ? [c[key]] : [])))];
    const [logins, tokens, users] = await Promise.all([
      pool.query<{ id: string }>(`SELECT id FROM "LoginSession" WHERE id = ANY($1::uuid[]) AND ("revokedAt" IS NOT NULL OR "expiresAt" <= now())`, [ids("loginSessionId")]),
      pool.query<{ id: string }>(`SELECT id FROM "ApiToken" WHERE id = ANY($1::uuid[]) AND "revokedAt" IS NOT NULL`, [ids("apiTokenId")]),
      pool.query<{ id: string; role: "USER" | "ADMIN" }>(`SELECT id, role FROM "User" WHERE id = ANY($1::uuid[])`, [ids("userId")]),
    ]);
    const roles = new Map(users.rows.map((row) => [row.id, row.role]));
    const changed = new Set(held.filter((c) => roles.has(c.userId) && roles.get(c.userId) !== c.role).map((c) => c.userId));
    return [
      ...logins.rows.map(({ id }): Revocation => ({ loginSessionId: id })),
      ...tokens.rows.map(({ id }): Revocation => ({ apiTokenId: id })),
      ...[...changed].map((userId): Revocation => ({ userId, role: roles.get(userId) })),
    ];
  }

  return {
    endedCredentials,

    async signUp(input: { email: string; password: string; name: string }, meta: RequestMeta) {
      await limits.signUpAttempt(meta.ip);
      const email = input.email.toLowerCase();
      const passwordHash = await hash(input.password);
      try {
        return await db.$transaction(async (tx) => {
          // Serialise sign-ups so that exactly one account can be the first, and so an admin.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(7265736)`;
          const isFirst = (await tx.user.count()) === 0;
          const role = isFirst || config.adminEmails.includes(email) ? "ADMIN" : "USER";
          const user = await tx.user.create({ data: { email, name: input.name, passwordHash, role }, select: userSelect });
          const token = await startLoginSession(user.id, meta, tx);
          await tx.auditLog.create({ data: { actorId: user.id, action: "auth.signUp", target: user.id, ip: meta.ip, detail: { role } } });
          return { user, token };
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
          throw new AppError("CONFLICT", "An account with this email already exists. Sign in instead.");
        }
        throw error;
      }
    },

    async signIn(input: { email: string; password: string }, meta: RequestMeta) {
      const email = input.email.toLowerCase();
      const permit = await limits.beforeAttempt(email, meta.ip);
      const [{ verify }, dummy] = await Promise.all([loadArgon2(), dummyHashOnce()]);
      const user = await db.user.findUnique({ where: { email } });
      if (permit.slowedForMs > 0 && !(user && (await knownAddress(user.id, meta.ip)))) limits.refuseSlowed(permit);
      const ok = await verify(user?.passwordHash ?? dummy, input.password);
      if (!user || !ok) {
        await limits.failed(email, meta.ip);
        await db.auditLog.create({ data: { action: "auth.signInFailed", target: email, ip: meta.ip } });
        throw new AppError("UNAUTHORIZED", "Email or password is incorrect.");
      }
      await limits.succeeded(email, meta.ip);
      const token = await startLoginSession(user.id, meta);
      await db.auditLog.create({ data: { actorId: user.id, action: "auth.signIn", target: user.id, ip: meta.ip } });
      const { id, name, role, createdAt } = user;
      return { user: { id, email: user.email, name, role, createdAt }, token };
    },

    /**
     * Who a secret (cookie or bearer) belongs to, or null when it is unknown, expired or revoked.
     * Every authenticated request and socket runs this, so it is one indexed join on the pool
     * (about a tenth of the CPU of the equivalent Prisma query with an include).
     */
    async authenticate(secret: string | undefined): Promise<Caller | null> {
      if (!secret) return null;
      const kind = secret.startsWith(LOGIN_TOKEN_PREFIX) ? "session" : secret.startsWith(API_TOKEN_PREFIX) ? "token" : null;
      if (!kind) return null;
      const { rows } = await pool.query<CredentialRow>(kind === "session" ? SESSION_LOOKUP : TOKEN_LOOKUP, [hashSecret(secret)]);
      const row = rows[0];
      const now = Date.now();
      if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
      const renewed = !row.lastUsedAt || now - row.lastUsedAt.getTime() > TOUCH_EVERY_MS;
      if (renewed) {
        await (kind === "session"
          ? pool.query(`UPDATE "LoginSession" SET "lastUsedAt" = $2, "expiresAt" = $3 WHERE id = $1`, [row.credentialId, new Date(now), new Date(now + SESSION_TTL_MS)])
          : pool.query(`UPDATE "ApiToken" SET "lastUsedAt" = $2 WHERE id = $1`, [row.credentialId, new Date(now)]));
      }
      const user: PublicUser = { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt };
      const expiresAt = kind === "session" && renewed ? now + SESSION_TTL_MS : row.expiresAt?.getTime();
      return kind === "session" ? { user, loginSessionId: row.credentialId, renewed, expiresAt } : { user, apiTokenId: row.credentialId, expiresAt };
    },

    async signOut(caller: Caller) {
      if (!caller.loginSessionId) return { signedOut: false };
      await db.loginSession.update({ where: { id: caller.loginSessionId }, data: { revokedAt: new Date() } });
      await announceRevoked({ loginSessionId: caller.loginSessionId });
      return { signedOut: true };
    },

    async listLoginSessions(caller: Caller) {
      const sessions = await db.loginSession.findMany({
        where: { userId: caller.user.id, revokedAt: null, expiresAt: { gt: new Date() } },
        orderBy: { lastUsedAt: "desc" },
        select: { id: true, userAgent: true, ip: true, createdAt: true, lastUsedAt: true, expiresAt: true },
      });
      return sessions.map((s) => ({ ...s, current: s.id === caller.loginSessionId, device: describeDevice(s.userAgent) }));
    },

    async revokeLoginSession(caller: Caller, sessionId: string) {
      const { count } = await db.loginSession.updateMany({
        where: { id: sessionId, userId: caller.user.id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      if (count === 0) throw notFound("That login session");
      await db.auditLog.create({ data: { actorId: caller.user.id, action: "auth.revokeSession", target: sessionId } });
      await announceRevoked({ loginSessionId: sessionId });
      return { revoked: true };
    },

    async createApiToken(caller: Caller, name: string) {
      const token = newSecret(API_TOKEN_PREFIX);
      const created = await db.apiToken.create({
        data: { userId: caller.user.id, name, tokenHash: hashSecret(token), prefix: token.slice(0, 12) },
      });
      await db.auditLog.create({ data: { actorId: caller.user.id, action: "auth.createApiToken", target: created.id } });
      return { id: created.id, name: created.name, token };
    },

    async listApiTokens(caller: Caller) {
      return db.apiToken.findMany({
        where: { userId: caller.user.id, revokedAt: null },
        orderBy: { createdAt: "desc" },
        select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true },
      });
    },

    async revokeApiToken(caller: Caller, tokenId: string) {
      const { count } = await db.apiToken.updateMany({
        where: { id: tokenId, userId: caller.user.id, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      if (count === 0) throw notFound("That API token");
      await db.auditLog.create({ data: { actorId: caller.user.id, action: "auth.revokeApiToken", target: tokenId } });
      await announceRevoked({ apiTokenId: tokenId });
      return { revoked: true };
    },

    /**
     * An account for Pulse's own programs (the load-test generator), made on first use: a USER that
     * no one can sign in as (its password is a random secret, thrown away); it acts through API tokens.
     */
    async serviceAccount(email: string, name: string): Promise<PublicUser> {
      const existing = await db.user.findUnique({ where: { email }, select: userSelect });
      if (existing) return existing;
      const passwordHash = await hash(newSecret(""));
      return db.user.upsert({ where: { email }, create: { email, name, passwordHash, role: "USER" }, update: {}, select: userSelect });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

/** A short human label for a user agent: "Chrome on Linux", "Node.js program". */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : /node|undici/i.test(userAgent)
            ? "Node.js program"
            : userAgent.split(/[ /]/)[0] || "Unknown";
  const os = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : "";
  return os ? `${browser} on ${os}` : browser;
}
