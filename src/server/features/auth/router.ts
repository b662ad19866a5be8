import { z } from "zod";
import { text } from "@/shared/input";
import { authedProcedure, publicProcedure, router } from "@/server/trpc/trpc";
import type { AuthService } from "./service.js";

const email = z.email("Enter a valid email address.").max(254).trim();
const password = text().min(8, "Use at least 8 characters.").max(200, "Use at most 200 characters.");

export const authRouter = (auth: AuthService) =>
  router({
    signUp: publicProcedure
      .input(z.object({ email, password, name: text().trim().min(1, "Tell us your name.").max(80) }).strict())
      .mutation(async ({ ctx, input }) => {
        const result = await auth.signUp(input, ctx.meta);
        ctx.setSessionCookie(result.token);
        return result;
      }),

    signIn: publicProcedure
      .input(z.object({ email, password: text().min(1, "Enter your password.").max(200) }).strict())
      .mutation(async ({ ctx, input }) => {
        const result = await auth.signIn(input, ctx.meta);
        ctx.setSessionCookie(result.token);
        return result;
      }),

    signOut: publicProcedure.mutation(async ({ ctx }) => {
      ctx.setSessionCookie(null);
      return ctx.caller ? auth.signOut(ctx.caller) : { signedOut: false };
    }),

    me: publicProcedure.query(({ ctx }) => ctx.caller?.user ?? null),

    sessions: authedProcedure.query(({ ctx }) => auth.listLoginSessions(ctx.caller)),

    revokeSession: authedProcedure
      .input(z.object({ sessionId: z.uuid() }).strict())
      .mutation(({ ctx, input }) => auth.revokeLoginSession(ctx.caller, input.sessionId)),

    createApiToken: authedProcedure
      .input(z.object({ name: text().trim().min(1, "Name the token.").max(60) }).strict())
      .mutation(({ ctx, input }) => auth.createApiToken(ctx.caller, input.name)),

    listApiTokens: authedProcedure.query(({ ctx }) => auth.listApiTokens(ctx.caller)),

    revokeApiToken: authedProcedure
      .input(z.object({ tokenId: z.uuid() }).strict())
      .mutation(({ ctx, input }) => auth.revokeApiToken(ctx.caller, input.tokenId)),
  });
