/**
 * The API's limit per client address (`RATE_LIMIT_PER_MINUTE`, 100 by default; 0: off) and the
 * cap on calls per tRPC batch (`TRPC_MAX_BATCH`).
 *
 * What counts: every request under `/api/` — tRPC over HTTP (a batch is one request; an SSE
 * subscription is one when it opens), file downloads, the rest of /api. What does not: pages and
 * Next's assets (a page's own data comes through the API, and is counted there), `/health*` and
 * `/metrics` (probes and scrapers must always get through), and the WebSocket, which has its own
 * limits (socket-limits.ts).
 *
 * Every counted response carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (seconds until the window starts again); a refused one is 429 with `Retry-After`, as a tRPC error
 * (TOO_MANY_REQUESTS, with `retryAfterS` and the request id) on tRPC paths and as JSON elsewhere.
 *
 * The counts live in PostgreSQL (`rate_limits`, shared by every instance) or in this process
 * (`RATE_LIMIT_STORE`). An address that has used up its minute is refused from memory without
 * asking the database again; while the database cannot be reached, memory counts alone.
 *
 * Traffic that carries the running load test's secret (`x-pulse-load-test`) is not counted: it is
 * the load being measured. The secret is checked before anything else, so it exempts a request
 * before the caller is known; it is 32 random bytes, known only to the server and the generator it
 * started, and valid only while that run is running.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { App } from "@/server/app";
import { AppError } from "@/server/errors";
import { rateLimitKey } from "@/server/ip-address";
import { metrics } from "@/server/metrics/index";
import { LOAD_TEST_HEADER } from "@/shared/load-tests";
import { clientIp } from "./client-ip.js";

export interface RateLimitParts {
  app: App;
  /** Whether a header value is the running load test's secret (features/load-tests). */
  isLoadTestSecret?(secret: string): Promise<boolean>;
}

/** Whether a request (or an upgrade) carries the running load test's secret. */
export function loadTestExempt(parts: RateLimitParts, req: IncomingMessage): Promise<boolean> {
  const header = req.headers[LOAD_TEST_HEADER];
  if (typeof header !== "string" || !parts.isLoadTestSecret) return Promise.resolve(false);
  return parts.isLoadTestSecret(header).catch(() => false);
}

/** A tRPC error whose shape says when to try again (the error formatter reads `retryAfterS` from its cause). */
export function tooManyRequests(message: string, retryAfterS: number): TRPCError {
  return new TRPCError({ code: "TOO_MANY_REQUESTS", message, cause: new AppError("TOO_MANY_REQUESTS", message, retryAfterS) });
}

/** The number of calls a tRPC HTTP request makes: a batch names its procedures in the path, comma-separated. */
export function batchSize(path: string, query: string): number {
  if (!new URLSearchParams(query).has("batch")) return 1;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // tRPC refuses the path itself; count it as written.
  }
  return decoded.split(",").length;
}

export function batchTooLarge(calls: number, max: number): TRPCError {
  return new TRPCError({
    code: "BAD_REQUEST",
    message: `A batch may hold at most ${max} calls; this one has ${calls}. Send them in smaller batches.`,
  });
}

export function createHttpRateLimits(parts: RateLimitParts) {
  const { app } = parts;
  const { rateLimits, trustProxy } = app.config;
  const points = rateLimits.httpPerMinute;
  const options = { keyPrefix: "http", points: Math.max(points, 1), duration: 60 };
  const memory = new RateLimiterMemory(options);
  const store: RateLimiterAbstract =
    rateLimits.store === "postgres"
      ? new RateLimiterPostgres({
          ...options,
          storeClient: app.pool,
          storeType: "pool",
          tableName: "rate_limits",
          tableCreated: true,
          inMemoryBlockOnConsumed: options.points,
          // A query that fails (the database went away mid-request) is counted in memory instead.
          insuranceLimiter: memory,
        })
      : memory;

  const refusedRequests = metrics.rateLimited.labels("http");
  const refusedBatches = metrics.rateLimited.labels("batch");

  /** Undefined when the request may go on; else how many seconds until it may. Sets the RateLimit headers either way. */
  async function take(req: IncomingMessage, res: ServerResponse): Promise<number | undefined> {
    if (points === 0 || (await loadTestExempt(parts, req))) return undefined;
    const key = rateLimitKey(clientIp(req, trustProxy));
    let result: RateLimiterRes;
    let refused = false;
    try {
      result = await (app.databaseAvailability.down ? memory : store).consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        // Not a refusal but a failure to count (the insurance failed too): serve rather than fail the request.
        app.log.warn({ err: rejection }, "rate limit could not be counted");
        return undefined;
      }
      result = rejection;
      refused = true;
    }
    const resetS = Math.max(0, Math.ceil(result.msBeforeNext / 1000));
    res.setHeader("RateLimit-Limit", String(points));
    res.setHeader("RateLimit-Remaining", String(Math.max(0, result.remainingPoints)));
    res.setHeader("RateLimit-Reset", String(resetS));
    if (!refused) return undefined;
    refusedRequests.inc();
    const retryAfterS = Math.max(1, resetS);
    res.setHeader("Retry-After", String(retryAfterS));
    return retryAfterS;
  }

  const message = (retryAfterS: number) =>
    `Too many requests from your address (the limit is ${points} a minute). Try again in ${retryAfterS} s.`;

  return {
    /** For the tRPC HTTP handler, before it runs anything: the error to answer with, or undefined. */
    async admitTrpc(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<TRPCError | undefined> {
      const retryAfterS = await take(req, res);
      if (retryAfterS !== undefined) return tooManyRequests(message(retryAfterS), retryAfterS);
      const calls = batchSize(path, query);
      if (calls <= rateLimits.maxBatch) return undefined;
      refusedBatches.inc();
      return batchTooLarge(calls, rateLimits.maxBatch);
    },

    /** For the rest of /api (downloads): answers 429 and returns true when over the limit. */
    async refuse(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const retryAfterS = await take(req, res);
      if (retryAfterS === undefined) return false;
      const requestId = res.getHeader("X-Request-Id");
      res.writeHead(429, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
      res.end(JSON.stringify({ error: message(retryAfterS), code: "TOO_MANY_REQUESTS", retryAfterS, requestId }));
      return true;
    },
  };
}
