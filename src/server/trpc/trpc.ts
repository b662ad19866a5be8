/**
 * The procedure builders. Routers import `router`, `publicProcedure`, `authedProcedure` and
 * `adminProcedure` from here and nothing else from tRPC's init.
 */
import { TRPCError, initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { AppError } from "../errors.js";
import { metrics } from "../http/metrics.js";
import type { Context } from "./context.js";

// ── What you rarely edit: tRPC itself, error shapes ─────────────────────────────────────

const production = process.env.NODE_ENV === "production";

function describeZodError(error: ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

/** Values marked by `shared`, with their wire form once it has been computed. */
const wireForms = new WeakMap<object, unknown>();
const NOT_YET = Symbol("not serialized yet");

/**
 * Marks a value that will not change again and goes to many callers (a health snapshot that
 * every `health.live` subscriber receives): superjson walks it once, not once per caller.
 * Never mark an object that is mutated afterwards — its callers would get the old wire form.
 */
export function shared<T extends object>(value: T): T {
  if (!wireForms.has(value)) wireForms.set(value, NOT_YET);
  return value;
}

/** superjson, except that a `shared` value is serialized once. */
const transformer = {
  input: superjson,
  output: {
    serialize(value: unknown): unknown {
      if (typeof value !== "object" || value === null) return superjson.serialize(value);
      let wire = wireForms.get(value);
      if (wire === undefined) return superjson.serialize(value);
      if (wire === NOT_YET) wireForms.set(value, (wire = superjson.serialize(value)));
      return wire;
    },
    deserialize: superjson.deserialize,
  },
};

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
      // A client shows each field's problem next to that field.
      data: { ...shape.data, zodError: zodError ? z.flattenError(zodError) : null },
    };
  },
});

/** Turns a service's AppError into the tRPC error with the same code; counts every call. */
const errorsAndMetrics = t.middleware(async ({ path, type, next }) => {
  const result = await next();
  let code = "OK";
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      metrics.trpcCalls.inc({ path, type, code: cause.code });
      throw new TRPCError({ code: cause.code, message: cause.message, cause });
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

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to do that." });
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

export const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.user.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Only admins can do that." });
  return next();
});
