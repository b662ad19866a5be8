/**
 * Telling "the database cannot be reached" apart from every other failure, and saying so once.
 *
 * While PostgreSQL is down (restarting, failing over, unreachable), every call that needs it fails
 * the same way: that is not a bug to log per request with a stack trace, and not a 500 to show a
 * person, but a brief unavailability — 503 with Retry-After — logged once when it starts and once
 * when a probe finds the database back.
 */
import type pg from "pg";
import type { Logger } from "@/server/log";

/** Socket-level failures to reach the server. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EAI_AGAIN"]);
/** SQLSTATEs of a server going away or not accepting connections (class 08: connection exceptions). */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Prisma's codes for the same (P1001 can't reach, P1002 timed out, P1008 operation timeout, P1017 connection closed, P2024 pool timeout). */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
/** pg's own wording when a connection ends or cannot be made (it sets no code on these). */
const PG_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "is not queryable",
  "Connection ended unexpectedly",
  "the database system is starting up",
  "the database system is shutting down",
];

/** How long a client is told to wait before trying again. */
export const RETRY_AFTER_S = 5;
/** What a caller is told meanwhile (503, with Retry-After). */
export const UNAVAILABLE_MESSAGE = "Pulse is briefly unavailable: its database cannot be reached. Try again in a few seconds.";
const PROBE_EVERY_MS = 1_000;

function describes(error: object): boolean {
  const { code, message, name, kind } = error as { code?: unknown; message?: unknown; name?: unknown; kind?: unknown };
  if (typeof code === "string" && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith("08") || PRISMA_CODES.has(code))) {
    return true;
  }
  // Prisma's driver-adapter errors carry a `kind`; PrismaClientInitializationError means it never connected.
  if (kind === "DatabaseNotReachable" || kind === "ConnectionClosed" || kind === "SocketTimeout" || kind === "TooManyConnections") return true;
  if (name === "PrismaClientInitializationError") return true;
  return typeof message === "string" && PG_MESSAGES.some((text) => message.includes(text));
}

/** Whether an error (or anything in its cause chain) means PostgreSQL could not be reached. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current: unknown = error; typeof current === "object" && current !== null && !seen.has(current); ) {
    seen.add(current);
    if (describes(current)) return true;
    const { cause, originalError } = current as { cause?: unknown; originalError?: unknown };
    // AggregateError (a dual-stack connect that failed on every address) lists its causes.
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = cause ?? originalError;
  }
  return false;
}

/**
 * One per process: fed the failures of calls that needed the database; logs the outage once,
 * probes until PostgreSQL answers, logs that it is back.
 */
export class DatabaseAvailability {
  private downSince: number | undefined;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** Returns whether `error` was the database being unreachable (and starts watching for its return). */
  report(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.log.error({ err: error }, "database unreachable: answering 503 until it is back");
      this.probe = setInterval(() => void this.check(), PROBE_EVERY_MS).unref();
    }
    return true;
  }

  private async check(): Promise<void> {
    if (this.probing) return; // a probe may wait for the pool's connect timeout: never two at once
    this.probing = true;
    try {
      await this.pool.query("SELECT 1");
    } catch {
      return;
    } finally {
      this.probing = false;
    }
    if (this.downSince === undefined) return;
    this.log.info({ downForS: Math.round((Date.now() - this.downSince) / 1000) }, "database reachable again");
    this.downSince = undefined;
    clearInterval(this.probe);
  }

  close(): void {
    clearInterval(this.probe);
  }
}
