/**
 * The procedure builders: the one file of the transport that features import. Routers use
 * `router`, `publicProcedure`, `authedProcedure`, `adminProcedure`, and `live` for
 * subscriptions, and nothing else from tRPC's init.
 */
import { TRPCError, initTRPC } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { ZodError, z } from "zod";
import { isDatabaseUnavailable, RETRY_AFTER_S, UNAVAILABLE_MESSAGE } from "@/server/db/availability";
import { AppError } from "@/server/errors";
import { metrics } from "@/server/metrics/index";
import { trpcRoute } from "@/server/metrics/routes";
import type { Context } from "./context.js";
import { isBoundToCaller } from "./live.js";
import { markRecorded, requestIdOfError } from "./request-id.js";
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
  errorFormatter({ shape, error, ctx }) {
    // The call's own id (over WebSocket each call has one); the request's when no call was made.
    const requestId: string | null = requestIdOfError(error) ?? ctx?.requestId ?? null;
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    // tRPC reports a body that JSON.parse rejects as BAD_REQUEST with the parser's own words
    // ("Expected property name or '}' in JSON at position 10"): say plainly what is wrong.
    if (error.code === "PARSE_ERROR" || (error.code === "BAD_REQUEST" && error.cause instanceof SyntaxError)) {
      return { ...shape, message: "The request is not valid JSON.", data: { ...shape.data, code: "BAD_REQUEST" as const, zodError: null, requestId } };
    }
    // A stream that fails mid-way because the database went away: a brief unavailability, not a bug.
    if (error.code === "INTERNAL_SERVER_ERROR" && isDatabaseUnavailable(error.cause)) {
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY.SERVICE_UNAVAILABLE,
        message: UNAVAILABLE_MESSAGE,
        data: { ...data, code: "SERVICE_UNAVAILABLE" as const, httpStatus: 503, zodError: null, retryAfterS: RETRY_AFTER_S, requestId },
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
        /** Quote it to whoever runs the server: it finds the call in the logs and the request log. */
        requestId,
      },
    };
  },
});

const callDuration = metrics.trpcCallDuration;

/** What a failed call is grouped by: the error behind the tRPC error when there is one (its stack is where it happened). */
function errorOf(error: TRPCError): { name: string; message: string; stack?: string } {
  const cause = error.cause;
  const origin = cause instanceof Error && !(cause instanceof ZodError) ? cause : error;
  return { name: origin.name, message: error.message || origin.message, stack: origin.stack };
}

/**
 * Turns a service's AppError into the tRPC error with the same code, and a database that cannot be
 * reached into SERVICE_UNAVAILABLE (503, Retry-After); measures every call (its duration around
 * the rest of the chain, its outcome) into this instance's measurements and /metrics. Over
 * WebSocket each call gets its own request id here.
 */
const errorsAndMetrics = t.middleware(async ({ ctx, path, type, next }) => {
  const requestId = ctx.callRequestId ? ctx.callRequestId() : ctx.requestId;
  const started = performance.now();
  const result = ctx.callRequestId ? await next({ ctx: { requestId } }) : await next();
  let failure: TRPCError | undefined;
  let converted = false;
  if (!result.ok) {
    converted = true;
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      if (cause.retryAfterS !== undefined) ctx.setRetryAfter(cause.retryAfterS);
      failure = new TRPCError({ code: cause.code, message: cause.message, cause });
    } else if (result.error.code === "INTERNAL_SERVER_ERROR" && ctx.app.databaseAvailability.report(cause)) {
      ctx.setRetryAfter(RETRY_AFTER_S);
      failure = new TRPCError({ code: "SERVICE_UNAVAILABLE", message: UNAVAILABLE_MESSAGE, cause });
    } else {
      failure = result.error;
      converted = false;
    }
  }
  const durationMs = performance.now() - started;
  const transport = ctx.socket ? "ws" : "http";
  const code = failure ? failure.code : null;
  metrics.trpcCalls.inc({ path, type, code: code ?? "OK" });
  callDuration.observe({ path, type, transport }, durationMs / 1000);
  ctx.app.measurements.record({
    route: trpcRoute(path),
    transport,
    // The method the HTTP transport accepts for the type (a query over GET, a mutation over POST).
    method: ctx.socket ? "WS" : type === "mutation" ? "POST" : "GET",
    path,
    status: failure ? getHTTPStatusCodeFromError(failure) : 200,
    code,
    durationMs,
    userId: ctx.caller?.user.id ?? null,
    requestId,
    error: failure && errorOf(failure),
  });
  if (!failure) return result;
  markRecorded(failure, requestId);
  if (converted) throw failure;
  return result;
});

// ── What you use: routers and procedure builders ───────────────────────────────────────

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maintenance mode: the system feature refuses a non-admin's mutation (a cached check, no query; see its service). */
const maintenanceGate = t.middleware(({ ctx, path, type, next }) => {
  if (type === "mutation") ctx.checkMutation?.(path, ctx.caller);
  return next();
});

export const publicProcedure = t.procedure.use(errorsAndMetrics).use(maintenanceGate);

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
