/**
 * What the chat service needs from a language model, and nothing more: one streamed answer at a
 * time. `anthropic.ts` implements it over @anthropic-ai/sdk (with retries and a circuit breaker);
 * the service never sees the SDK, HTTP or SSE.
 */
export interface ModelMessage {
  role: "user" | "assistant";
  content: string;
}

export interface ModelRequest {
  model: string;
  system?: string;
  /** Oldest first, ending with the user's new message; already trimmed to the token budget. */
  messages: ModelMessage[];
  maxTokens: number;
  /** Aborting it stops the upstream request at once (a cancel, or shutdown). */
  signal: AbortSignal;
}

/** One answer, in order: `start` once, any number of `delta`s, then `end` — or a thrown ModelError. */
export type ModelEvent =
  | { type: "start"; model: string; inputTokens: number }
  | { type: "delta"; text: string }
  | { type: "end"; stopReason: string | null; inputTokens: number; outputTokens: number };

export interface ChatModel {
  /** Throws ModelError (or an AbortError when `signal` aborts) before or during the stream. */
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}

/**
 * Why an answer could not be had, in words for the person waiting on it. `code` is the tRPC code
 * the service reports (and stores on the failed message).
 */
export type ModelErrorCode =
  /** Anthropic's 429 (after our own limit let the message through): `retryAfterS` says when. */
  | "TOO_MANY_REQUESTS"
  /** 5xx, 529 overloaded, time-outs, dropped connections: after our retries ran out. */
  | "SERVICE_UNAVAILABLE"
  /** The breaker is open: failing fast until a probe succeeds; `retryAfterS` says when it tries again. */
  | "CIRCUIT_OPEN"
  /** 400/401/403/404/413 from upstream: a configuration problem or a request it refuses. */
  | "BAD_GATEWAY";

export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "ModelError";
  }
}
