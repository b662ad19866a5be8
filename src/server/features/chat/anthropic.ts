/**
 * ChatModel over Anthropic's streaming Messages API (@anthropic-ai/sdk). The SDK's own retries are
 * off: this file retries, so that it alone decides what is safe to repeat (nothing, once a person
 * has seen text) and so that the circuit breaker hears about every request that failed.
 */
import { setTimeout as sleep } from "node:timers/promises";
import Anthropic, { APIConnectionTimeoutError } from "@anthropic-ai/sdk";
import type { Logger } from "@/server/log";
import { CircuitBreaker, type BreakerState, type Outcome } from "./breaker.js";
import { ModelError, type ChatModel, type ModelEvent, type ModelRequest } from "./model.js";
import { classify, toModelError, type Failure } from "./upstream-errors.js";

export interface AnthropicModelOptions {
  apiKey: string;
  /** Without `/v1`: the SDK appends `/v1/messages`. Unset: Anthropic's own API. */
  baseURL?: string;
  /** Longest wait for the response headers, and then for each next event of the stream. */
  timeoutMs: number;
  /** Retries after the first attempt, before any text was shown. */
  maxRetries: number;
  /** First back-off; each retry waits twice as long as the one before. */
  retryBaseMs: number;
  breaker: { failures: number; openMs: number };
  log: Logger;
}

/** The ChatModel, plus what /health and the chat page want to know about it. */
export interface AnthropicModel extends ChatModel {
  stream(request: ModelRequest): AsyncGenerator<ModelEvent, void, undefined>;
  state(): { breaker: BreakerState };
}

/** An attempt that failed in a way the retry loop must judge; anything else (abort) passes through. */
class AttemptFailed extends Error {
  constructor(
    readonly failure: Failure,
    cause?: unknown,
  ) {
    super(failure.kind, { cause });
  }
}

export function createAnthropicModel(options: AnthropicModelOptions): AnthropicModel {
  const { log, timeoutMs, maxRetries, retryBaseMs } = options;
  const client = new Anthropic({
    apiKey: options.apiKey,
    // null, not undefined: undefined would make the SDK read ANTHROPIC_BASE_URL itself, and the
    // validated config is the one place that reads the environment.
    baseURL: options.baseURL ?? null,
    maxRetries: 0,
    timeout: timeoutMs,
    logger: log.child({ component: "anthropic-sdk" }),
  });
  const breaker = new CircuitBreaker({
    ...options.breaker,
    onChange: (to, from) =>
      (to === "closed" ? log.info.bind(log) : log.warn.bind(log))({ breaker: to, from }, `anthropic: circuit ${to}`),
  });
  const timeoutS = Number((timeoutMs / 1000).toFixed(2));

  /** One HTTP request's events, mapped; throws AttemptFailed, or an AbortError when the caller aborts. */
  async function* attempt(request: ModelRequest): AsyncGenerator<ModelEvent, void, undefined> {
    const own = new AbortController();
    const signal = AbortSignal.any([request.signal, own.signal]);
    // The SDK's timeout stops at the response headers; a stream that goes quiet after them
    // (a stalled proxy, a half-dead connection) is cut by this watchdog instead.
    let timer: NodeJS.Timeout | undefined;
    let watchdogFired = false;
    const arm = () => {
      timer = setTimeout(() => {
        watchdogFired = true;
        own.abort();
      }, timeoutMs);
    };
    const disarm = () => clearTimeout(timer);
    try {
      arm();
      const upstream = await client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxTokens,
          messages: request.messages,
          ...(request.system ? { system: request.system } : {}),
          stream: true,
        },
        { signal, maxRetries: 0 },
      );
      disarm();
      const iterator = upstream[Symbol.asyncIterator]();
      let model = request.model;
      let inputTokens = 0;
      let outputTokens = 0;
      let stopReason: string | null = null;
      for (;;) {
        // Armed only while waiting on Anthropic: a slow reader of ours is not an upstream stall.
        arm();
        const next = await iterator.next();
        disarm();
        if (next.done) break;
        const event = next.value;
        if (event.type === "message_start") {
          model = event.message.model;
          inputTokens = event.message.usage.input_tokens;
          outputTokens = event.message.usage.output_tokens;
          yield { type: "start", model, inputTokens };
        } else if (event.type === "content_block_delta") {
          if (event.delta.type === "text_delta" && event.delta.text) yield { type: "delta", text: event.delta.text };
        } else if (event.type === "message_delta") {
          stopReason = event.delta.stop_reason;
          // The SDK types these as always there, but the API (and older versions of it) may leave
          // input_tokens out of message_delta: keep message_start's count then.
          if (typeof event.usage.output_tokens === "number") outputTokens = event.usage.output_tokens;
          if (typeof event.usage.input_tokens === "number") inputTokens = event.usage.input_tokens;
        } else if (event.type === "message_stop") {
          // Done: not waiting for the connection to close, which a stalled proxy might never do.
          yield { type: "end", stopReason, inputTokens, outputTokens };
          return;
        }
      }
      // The SDK ends an aborted stream quietly, as if it were complete: tell the cases apart.
      if (request.signal.aborted) throw abortError(request.signal);
      if (watchdogFired) throw new AttemptFailed({ kind: "transient", reason: `no reply for ${timeoutS} s` });
      throw new AttemptFailed({ kind: "transient", reason: "the stream ended before the answer did" });
    } catch (error) {
      if (error instanceof AttemptFailed) throw error;
      if (request.signal.aborted) throw abortError(request.signal);
      const timedOut = watchdogFired || error instanceof APIConnectionTimeoutError;
      throw new AttemptFailed(timedOut ? { kind: "transient", reason: `no reply for ${timeoutS} s` } : classify(error), error);
    } finally {
      disarm();
      // Closes the HTTP request on every way out: an abort, a failure, or a caller that stopped reading.
      own.abort();
    }
  }

  async function* stream(request: ModelRequest): AsyncGenerator<ModelEvent, void, undefined> {
    if (request.signal.aborted) throw abortError(request.signal);
    const admission = breaker.admit();
    if (!admission.admitted) {
      throw new ModelError(
        "CIRCUIT_OPEN",
        `Claude is unavailable; Pulse will try again in ${admission.retryAfterS} s.`,
        admission.retryAfterS,
      );
    }
    let outcome: Outcome = "neutral";
    let settled = false;
    const settle = (result: Outcome) => {
      if (settled) return;
      settled = true;
      breaker.settle(result, admission.probe);
    };
    try {
      for (let retry = 0; ; retry++) {
        let shown = 0;
        // `start` waits for the first delta (or the end), so that a retry before any text is
        // invisible to the caller, who sees `start` once as the interface promises.
        let start: ModelEvent | undefined;
        try {
          for await (const event of attempt(request)) {
            if (event.type === "start") {
              start = event;
              continue;
            }
            if (start) {
              yield start;
              start = undefined;
            }
            if (event.type === "end") {
              // Settled before handing over `end`: a caller may stop reading there without
              // closing the generator, and the `finally` below would then never run.
              outcome = "success";
              settle(outcome);
              yield event;
              return;
            }
            shown += 1;
            yield event;
            if (request.signal.aborted) throw abortError(request.signal);
          }
          return;
        } catch (error) {
          if (!(error instanceof AttemptFailed)) throw error;
          const { failure } = error;
          // A refusal (401, 429…) is still an answer: Anthropic is up, the breaker should know.
          outcome = failure.kind === "transient" ? "failure" : "success";
          const cutOff = shown > 0;
          const details = { ...failure, retry, cutOff, cause: describe(error.cause) };
          if (failure.kind !== "transient" || cutOff || retry >= maxRetries) {
            log.warn(details, "anthropic: request failed");
            throw toModelError(failure, cutOff);
          }
          // Exponential, with a little jitter so that requests failed together do not retry together.
          const delayMs = Math.round(retryBaseMs * 2 ** retry * (1 + Math.random() * 0.2));
          log.warn({ ...details, delayMs }, "anthropic: retrying");
          outcome = "neutral";
          await sleep(delayMs, undefined, { signal: request.signal }).catch(() => {
            throw abortError(request.signal);
          });
        }
      }
    } finally {
      settle(outcome);
    }
  }

  return { stream, state: () => ({ breaker: breaker.state() }) };
}

/** The caller's abort as an error named "AbortError", as fetch and the interface have it. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  const error = new Error("The request to Claude was aborted.", { cause: reason });
  error.name = "AbortError";
  return error;
}

function describe(error: unknown): string | undefined {
  if (!(error instanceof Error)) return error === undefined ? undefined : String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}`;
}
