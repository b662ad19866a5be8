import type { App } from "@/server/app";
import { announceRevocation } from "@/server/bus/revocations";
import { AppError, notFound } from "@/server/errors";
import { initials } from "@/shared/people";
import type { Caller, PublicUser } from "@/server/features/auth/service";

const userSelect = { id: true, email: true, name: true, role: true, createdAt: true } as const;

/** What every signed-in user may see of anyone. */
export interface PublicProfile {
  id: string;
  name: string;
  initials: string;
}

export type Preferences = { theme?: "light" | "dark" | "system"; reducedMotion?: boolean };

export function createUsersService(app: App) {
  const { db } = app;
  return {
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

    async setRole(caller: Caller, userId: string, role: "USER" | "ADMIN") {
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
          data: { actorId: caller.user.id, action: "users.setRole", target: userId, detail: { from: target.role, to: role } },
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
