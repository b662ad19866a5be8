/**
 * What went wrong with one attempt at Anthropic, sorted by what to do about it, and the words a
 * person reads for each. Kept apart from anthropic.ts so the retry loop reads as a loop.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { ModelError } from "./model.js";

/**
 * - `transient`: an outage (5xx, 529, time-out, lost connection, an `error` event): retried while
 *   nothing was shown yet; `reason` fills "Claude is not answering right now (…)".
 * - `rate`: Anthropic's 429: never retried here, the person is told when to try again.
 * - `refused`: a 4xx that will not change by retrying: configuration or the request itself.
 */
export type Failure =
  | { kind: "transient"; reason: string; status?: number; requestId?: string }
  | { kind: "rate"; retryAfterS?: number; requestId?: string }
  | { kind: "refused"; status: number; message: string; requestId?: string };

/** Sorts an error thrown by the SDK (or by fetch under it); time-outs are told apart by the caller. */
export function classify(error: unknown): Failure {
  if (error instanceof APIConnectionTimeoutError) return { kind: "transient", reason: "the request timed out" };
  if (error instanceof APIUserAbortError) return { kind: "transient", reason: "the request was stopped" };
  if (error instanceof APIConnectionError) return { kind: "transient", reason: "the connection to Anthropic failed" };
  if (error instanceof APIError) {
    const requestId = error.requestID ?? undefined;
    const status = error.status;
    if (status === undefined) {
      // An `event: error` inside a 200 stream: the API's way of failing after it started.
      if (error.type === "rate_limit_error") return { kind: "rate", requestId };
      return { kind: "transient", reason: `Anthropic reported ${error.type ?? "an error"}`, requestId };
    }
    if (status === 429) return { kind: "rate", retryAfterS: retryAfter(error.headers), requestId };
    if (status === 529) return { kind: "transient", reason: "Anthropic is overloaded (529)", status, requestId };
    if (status >= 500) return { kind: "transient", reason: `Anthropic had an error (${status})`, status, requestId };
    if (status === 408) return { kind: "transient", reason: "Anthropic timed out the request (408)", status, requestId };
    return { kind: "refused", status, message: refusal(status, error.apiMessage), requestId };
  }
  // What fetch throws when the socket goes away under a body being read ("terminated"), or
  // anything else unexpected from below the SDK: treated as a lost connection, and logged.
  return { kind: "transient", reason: "the connection to Anthropic was lost" };
}

/** The ModelError a person sees when the request ends on this failure; `cutOff`: after text was shown. */
export function toModelError(failure: Failure, cutOff: boolean): ModelError {
  if (cutOff) {
    // Whatever stopped it, the person already has part of an answer: say that first.
    const reason =
      failure.kind === "transient" ? failure.reason
      : failure.kind === "rate" ? "Anthropic's rate limit"
      : `Anthropic refused to go on (${failure.status})`;
    return new ModelError("SERVICE_UNAVAILABLE", `Claude's answer was cut off (${reason}). Try again in a moment.`);
  }
  if (failure.kind === "rate") {
    const when = failure.retryAfterS === undefined ? "in a moment" : `in ${failure.retryAfterS} s`;
    return new ModelError("TOO_MANY_REQUESTS", `Anthropic is rate-limiting Pulse (429): try again ${when}.`, failure.retryAfterS);
  }
  if (failure.kind === "refused") return new ModelError("BAD_GATEWAY", failure.message);
  return new ModelError("SERVICE_UNAVAILABLE", `Claude is not answering right now (${failure.reason}). Try again in a moment.`);
}

function refusal(status: number, apiMessage: string | null): string {
  const says = apiMessage ? ` Anthropic says: ${apiMessage}` : "";
  switch (status) {
    case 401:
      return "Anthropic refused the API key (401): check ANTHROPIC_API_KEY.";
    case 403:
      return `Anthropic refused access (403): the API key may not use this model or feature; check ANTHROPIC_API_KEY and ANTHROPIC_MODEL.${says}`;
    case 404:
      return `Anthropic does not know this model or address (404): check ANTHROPIC_MODEL and ANTHROPIC_BASE_URL.${says}`;
    case 413:
      return `The conversation is too large for Anthropic (413): start a new conversation.${says}`;
    default:
      return `Anthropic refused the request (${status}).${says}`;
  }
}

/** `retry-after` in seconds or as an HTTP date, as the API may send either; at least 1 s. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - Date.now()) / 1000));
}
