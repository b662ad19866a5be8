/**
 * Request ids: every HTTP request has one (`X-Request-Id`, a proxy's if it looks like an id,
 * else a new UUID), every tRPC call over WebSocket its own (`<socket id>:<n>`). A call's id is on
 * its context, in its CallRecord and log lines, and in its error's `data.requestId`, so that a
 * person can quote it.
 */
import { randomUUID } from "node:crypto";

/** What a proxy's id may look like to be kept: short, and nothing that could forge a log line. */
const ACCEPTED = /^[A-Za-z0-9._:-]{1,100}$/;

/** The id a request carries (`X-Request-Id`) if it is acceptable, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && ACCEPTED.test(header) ? header : randomUUID();
}

/**
 * Errors whose call was already recorded by the procedures' middleware (see trpc.ts): the
 * transport's onError records only the others — calls that failed before any middleware ran
 * (no such procedure, a request that could not be parsed, a context that could not be made).
 */
const recorded = new WeakSet<object>();
/** The request id of an error's call, for its shape's `data.requestId` (the formatter may not see the call's context). */
const ids = new WeakMap<object, string>();

export function markRecorded(error: object, requestId: string): void {
  recorded.add(error);
  ids.set(error, requestId);
}

export function wasRecorded(error: object): boolean {
  return recorded.has(error);
}

/** Called just before the error's shape is made (onError): one error object can be thrown for several calls (a socket whose context failed). */
export function tagError(error: object, requestId: string): void {
  ids.set(error, requestId);
}

export function requestIdOfError(error: object): string | undefined {
  return ids.get(error);
}
