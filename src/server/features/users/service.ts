import type { App } from "@/server/app";
import { announceRevocation } from "@/server/bus/revocations";
import { AppError, notFound } from "@/server/errors";
import { initials } from "@/shared/people";
import type { UsageScope } from "@/server/feature";
import type { Caller, PublicUser, RequestMeta } from "@/server/features/auth/service";
import type { UsageSection } from "@/shared/analytics";

const userSelect = { id: true, email: true, name: true, role: true, createdAt: true } as const;

/** What every signed-in user may see of anyone. */
export interface PublicProfile {
  id: string;
  name: string;
  initials: string;
}

export type Preferences = { theme?: "light" | "dark" | "system"; reducedMotion?: boolean };

const DAY_MS = 24 * 60 * 60 * 1000;

export function createUsersService(app: App) {
  const { db, pool } = app;
  return {
    /**
     * The analytics summary's figures. The platform's: accounts, and those active in the last 24 h
     * (a login or API token used); one person's: their open logins and API tokens.
     */
    async usage({ userId }: UsageScope): Promise<UsageSection> {
      if (userId === null) {
        const { rows } = await pool.query<{ total: number; active: number }>(
          `SELECT (SELECT count(*)::int FROM "User") AS total,
                  (SELECT count(DISTINCT "userId")::int FROM (
                     SELECT "userId" FROM "LoginSession" WHERE "lastUsedAt" >= $1
                     UNION ALL SELECT "userId" FROM "ApiToken" WHERE "lastUsedAt" >= $1) AS used) AS active`,
          [new Date(Date.now() - DAY_MS)],
        );
        const { total, active } = rows[0]!;
        return {
          feature: "users",
          title: "Accounts",
          figures: [
            { key: "accounts", label: "Accounts", value: total, unit: "count" },
            { key: "active24h", label: "Active in 24 h", value: active, unit: "count" },
          ],
        };
      }
      const { rows } = await pool.query<{ logins: number; tokens: number }>(
        `SELECT (SELECT count(*)::int FROM "LoginSession" WHERE "userId" = $1 AND "revokedAt" IS NULL AND "expiresAt" > now()) AS logins,
                (SELECT count(*)::int FROM "ApiToken" WHERE "userId" = $1 AND "revokedAt" IS NULL) AS tokens`,
        [userId],
      );
      const { logins, tokens } = rows[0]!;
      return {
        feature: "users",
        title: "Your account",
        figures: [
          { key: "logins", label: "Signed-in devices", value: logins, unit: "count" },
          { key: "apiTokens", label: "API tokens", value: tokens, unit: "count" },
        ],
      };
    },

    /**
     * Someone's profile. Their email and role are theirs and the admins' to see: anyone else gets
     * the public profile (the name and the avatar's initials).
     */
    async byId(caller: Caller, id: string): Promise<PublicProfile | (PublicProfile & Omit<PublicUser, "id" | "name">)> {
      const user = await db.user.findUnique({ where: { id }, select: userSelect });
      if (!user) throw notFound("That user");
      const profile = { id: user.id, name: user.name, initials: initials(user.name) };
      if (caller.user.id !== id && caller.user.role !== "ADMIN") return profile;
      return { ...profile, email: user.email, role: user.role, createdAt: user.createdAt };
    },

    async preferences(userId: string): Promise<Preferences> {
      const user = await db.user.findUnique({ where: { id: userId }, select: { preferences: true } });
      return (user?.preferences ?? {}) as Preferences;
    },

    async update(caller: Caller, input: { name?: string; preferences?: Preferences }) {
      const current = await this.preferences(caller.user.id);
      return db.user.update({
        where: { id: caller.user.id },
        data: {
          name: input.name,
          preferences: input.preferences ? { ...current, ...input.preferences } : undefined,
        },
        select: { ...userSelect, preferences: true },
      });
    },

    async list(input: { cursor?: string; limit: number; search?: string }) {
      const where = input.search
        ? { OR: [{ email: { contains: input.search, mode: "insensitive" as const } }, { name: { contains: input.search, mode: "insensitive" as const } }] }
        : {};
      const users = await db.user.findMany({
        where,
        select: userSelect,
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      });
      const more = users.length > input.limit;
      const items = more ? users.slice(0, input.limit) : users;
      return { items, nextCursor: more ? items[items.length - 1]!.id : null };
    },

    async setRole(caller: Caller, userId: string, role: "USER" | "ADMIN", meta?: Pick<RequestMeta, "ip">) {
      const updated = await db.$transaction(async (tx) => {
        // Serialise role changes: two admins demoting each other at once must not both see
        // "another admin is left" and leave Pulse with none.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(7265737)`;
        const target = await tx.user.findUnique({ where: { id: userId }, select: userSelect });
        if (!target) throw notFound("That user");
        if (target.role === "ADMIN" && role === "USER") {
          const admins = await tx.user.count({ where: { role: "ADMIN" } });
          if (admins <= 1) throw new AppError("BAD_REQUEST", "Pulse needs at least one admin: promote someone else first.");
        }
        const user = await tx.user.update({ where: { id: userId }, data: { role }, select: userSelect });
        await tx.auditLog.create({
          data: { actorId: caller.user.id, action: "users.setRole", target: userId, ip: meta?.ip, detail: { from: target.role, to: role } },
        });
        return user;
      });
      // Open sockets carry the old role in their context: close them so they reconnect with the new one.
      await announceRevocation(app.bus, { userId, role });
      return updated;
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
