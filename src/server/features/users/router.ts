import { z } from "zod";
import { text } from "@/shared/input";
import { adminProcedure, authedProcedure, router } from "@/server/trpc/trpc";
import type { UsersService } from "./service.js";

const preferences = z
  .object({ theme: z.enum(["light", "dark", "system"]).optional(), reducedMotion: z.boolean().optional() })
  .strict();

export const usersRouter = (users: UsersService) =>
  router({
    byId: authedProcedure.input(z.object({ id: z.uuid() }).strict()).query(({ ctx, input }) => users.byId(ctx.caller, input.id)),

    update: authedProcedure
      .input(z.object({ name: text().trim().min(1).max(80).optional(), preferences: preferences.optional() }).strict())
      .mutation(({ ctx, input }) => users.update(ctx.caller, input)),

    list: adminProcedure
      .input(
        z.object({ cursor: z.uuid().optional(), limit: z.number().int().min(1).max(100).default(50), search: text().max(100).optional() }).strict().default({ limit: 50 }),
      )
      .query(({ input }) => users.list(input)),

    setRole: adminProcedure
      .input(z.object({ userId: z.uuid(), role: z.enum(["USER", "ADMIN"]) }).strict())
      .mutation(({ ctx, input }) => users.setRole(ctx.caller, input.userId, input.role, ctx.meta)),
  });
