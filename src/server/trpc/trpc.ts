/**
 * The procedure builders: the one file of the transport that features import. Routers use
 * `router`, `publicProcedure`, `authedProcedure`, `adminProcedure`, and `live` for
 * subscriptions, and nothing else from tRPC's init.
 */
import { TRPCError, initTRPC } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { ZodError, z } from "zod";
import { isDatabaseUnavailable, RETRY_AFTER_S, UNAVAILABLE_MESSAGE } from "@/server/db/availability";
import { AppError } from "@/server/errors";
import { metrics } from "@/server/metrics/index";
import type { Context } from "./context.js";
import { isBoundToCaller } from "./live.js";
import { transformer } from "./wire.js";

export { live } from "./live.js";
/** Marks a result that many callers receive unchanged (a cached snapshot): serialised once for all of them. */
export { shared } from "./wire.js";

// ── What you rarely edit: tRPC itself, error shapes ─────────────────────────────────────

const production = process.env.NODE_ENV === "production";

function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

const t = initTRPC.context<Context>().create({
  transformer,
  isDev: !production,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    // tRPC reports a body that JSON.parse rejects as BAD_REQUEST with the parser's own words
    // ("Expected property name or '}' in JSON at position 10"): say plainly what is wrong.
    if (error.code === "PARSE_ERROR" || (error.code === "BAD_REQUEST" && error.cause instanceof SyntaxError)) {
      return { ...shape, message: "The request is not valid JSON.", data: { ...shape.data, code: "BAD_REQUEST" as const, zodError: null } };
    }
    // A stream that fails mid-way because the database went away: a brief unavailability, not a bug.
    if (error.code === "INTERNAL_SERVER_ERROR" && isDatabaseUnavailable(error.cause)) {
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY.SERVICE_UNAVAILABLE,
        message: UNAVAILABLE_MESSAGE,
        data: { ...data, code: "SERVICE_UNAVAILABLE" as const, httpStatus: 503, zodError: null, retryAfterS: RETRY_AFTER_S },
      };
    }
    const hidden = production && error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      message: zodError
        ? `Invalid input: ${describeZodError(zodError)}`
        : hidden
          ? "Something went wrong on our side. Please try again."
          : error.code === "PAYLOAD_TOO_LARGE" && shape.message === "PAYLOAD_TOO_LARGE"
            ? "The request body is too large."
            : shape.message,
      data: {
        ...shape.data,
        // A client shows each field's problem next to that field.
        zodError: zodError ? z.flattenError(zodError) : null,
        // TOO_MANY_REQUESTS: when to try again (HTTP responses also carry it as Retry-After).
        retryAfterS: error.cause instanceof AppError ? (error.cause.retryAfterS ?? null) : error.code === "SERVICE_UNAVAILABLE" ? RETRY_AFTER_S : null,
      },
    };
  },
});

/**
 * Turns a service's AppError into the tRPC error with the same code, and a database that cannot be
 * reached into SERVICE_UNAVAILABLE (503, Retry-After); counts every call.
 */
const errorsAndMetrics = t.middleware(async ({ ctx, path, type, next }) => {
  const result = await next();
  let code = "OK";
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      metrics.trpcCalls.inc({ path, type, code: cause.code });
      if (cause.retryAfterS !== undefined) ctx.setRetryAfter(cause.retryAfterS);
      throw new TRPCError({ code: cause.code, message: cause.message, cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR" && ctx.app.databaseAvailability.report(cause)) {
      metrics.trpcCalls.inc({ path, type, code: "SERVICE_UNAVAILABLE" });
      ctx.setRetryAfter(RETRY_AFTER_S);
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: UNAVAILABLE_MESSAGE, cause });
    }
    code = result.error.code;
  }
  metrics.trpcCalls.inc({ path, type, code });
  return result;
});

// ── What you use: routers and procedure builders ───────────────────────────────────────

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(errorsAndMetrics);

/** Signed-in callers only. Its subscriptions must be made with `live`, so they end with the caller's credential. */
export const authedProcedure = publicProcedure.use(async ({ ctx, type, next }) => {
  if (!ctx.caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to do that." });
  const result = await next({ ctx: { ...ctx, caller: ctx.caller, endsWithCredential: true as const } });
  if (type === "subscription" && result.ok && !isBoundToCaller(result.data)) {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "This subscription is not bound to its caller: make its resolver with live()." });
  }
  return result;
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.user.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only admins can do that." });
  return next();
});
