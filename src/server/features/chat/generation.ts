/**
 * Answers being written, on this instance. A generation runs on the server, apart from whoever
 * watches it: it streams from the model, writes the text to the answer's ChatEvent stream in small
 * batches (each announced on the bus once committed), and ends the answer with its whole text,
 * tokens, stop reason and times — or with the model's error, the partial text kept.
 *
 * Stopping: `chat.cancel` (any instance) ends the answer in the database and announces the id on
 * CANCEL_CHANNEL; the instance generating it aborts the model's signal. Shutdown ends this
 * instance's answers as interrupted. A crash leaves them `streaming`: every instance stamps a
 * heartbeat on its own answers, and sweeps any whose heartbeat stopped (see `sweep`).
 */
import type pg from "pg";
import type { Bus } from "@/server/bus/bus";
import type { Logger } from "@/server/log";
import type { ChatErrorCode } from "@/shared/chat";
import { ModelError, type ChatModel, type ModelRequest } from "./model.js";
import { appendDelta, CANCEL_CHANNEL, finishAnswer, streamChannel, type FirstDelta, type Outcome } from "./rows.js";

/** Text is written at most this often per answer (the first text at once)… */
export const FLUSH_MS = 40;
/** …or as soon as this much is waiting. */
const FLUSH_CHARS = 1_000;
const HEARTBEAT_MS = 5_000;
/** A streaming answer whose heartbeat is this old lost its process: it is ended as interrupted. */
const STALE_AFTER_MS = 20_000;
/** How long shutdown waits for its answers to be saved as interrupted. */
const STOP_WAIT_MS = 5_000;

export const INTERRUPTED_BY_RESTART = "The answer was interrupted by a server restart. Retry to get a full answer.";
export const INTERRUPTED_BY_CRASH = "The answer was interrupted: the server writing it stopped. Retry to get a full answer.";
const INTERNAL_MESSAGE = "Something went wrong on our side while Claude was answering. Retry in a moment.";

/** Why a generation's signal aborted. */
type StopReason = "cancelled" | "shutdown" | "gone";

export interface GenerationDeps {
  pool: pg.Pool;
  bus: Bus;
  log: Logger;
  instanceId: string;
  /** Told the tokens of each answer this process ended (the chat feature's token counter in /metrics). */
  onUsage?(inputTokens: number, outputTokens: number): void;
}

export function createGenerations({ pool, bus, log, instanceId, onUsage }: GenerationDeps) {
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopping = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const announce = (messageId: string, ids: bigint[]) => {
    for (const id of ids) void bus.publish(streamChannel(messageId), id.toString()).catch(() => undefined);
  };

  /** Ends an answer (if still streaming) and announces its last events; the finished message, or null. */
  async function finish(messageId: string, outcome: Outcome) {
    const finished = await finishAnswer(pool, messageId, outcome);
    if (finished) {
      announce(messageId, finished.eventIds);
      onUsage?.(outcome.inputTokens ?? 0, outcome.outputTokens ?? 0);
    }
    return finished?.message ?? null;
  }

  async function generate(model: ChatModel, messageId: string, request: Omit<ModelRequest, "signal">, startedAt: number, controller: AbortController) {
    const { signal } = controller;
    let pending = "";
    let writing: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let firstDelta: FirstDelta | undefined;
    let firstWritten = false;
    let start: { model: string; inputTokens: number } | undefined;
    let failure: unknown;
    /** Set before the answer is ended: no more writes of deltas, the rest goes with the last event. */
    let closing = false;

    const flush = (): Promise<void> => {
      clearTimeout(timer);
      timer = undefined;
      if (writing || !pending || signal.aborted || closing) return writing ?? Promise.resolve();
      const text = pending;
      pending = "";
      const first = firstWritten ? undefined : firstDelta;
      firstWritten = true;
      writing = appendDelta(pool, messageId, text, first)
        .then((id) => {
          if (id === null) controller.abort("gone" satisfies StopReason);
          else announce(messageId, [id]);
        })
        .catch((error: unknown) => {
          failure = error;
          controller.abort("gone" satisfies StopReason);
        })
        .finally(() => {
          writing = undefined;
          if (pending) schedule();
        });
      return writing;
    };
    const schedule = () => {
      if (writing || timer || signal.aborted || closing) return;
      if (!firstWritten || pending.length >= FLUSH_CHARS) void flush();
      else timer = setTimeout(() => void flush(), FLUSH_MS);
    };

    // The model should stop at once when its signal aborts; if it does not, we stop waiting for it.
    const aborted = signal.aborted
      ? Promise.reject(signal.reason as unknown)
      : new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    aborted.catch(() => undefined);
    const iterator = model.stream({ ...request, signal })[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), aborted]);
        if (next.done) break;
        const event = next.value;
        if (event.type === "start") start = { model: event.model, inputTokens: event.inputTokens };
        else if (event.type === "delta") {
          if (!event.text) continue;
          firstDelta ??= { firstTokenMs: Math.round(performance.now() - startedAt), model: start?.model ?? null, inputTokens: start?.inputTokens ?? null };
          pending += event.text;
          schedule();
        } else {
          // `end` is the model's last event: close its stream now (its `finally` frees the upstream request).
          void iterator.return?.().catch(() => undefined);
          closing = true;
          clearTimeout(timer);
          await writing;
          if (signal.aborted) throw signal.reason;
          await finish(messageId, {
            status: "complete",
            remaining: pending,
            stopReason: event.stopReason,
            model: start?.model,
            inputTokens: event.inputTokens,
            outputTokens: event.outputTokens,
            firstTokenMs: firstDelta?.firstTokenMs,
            totalMs: Math.round(performance.now() - startedAt),
          });
          return;
        }
      }
      throw new ModelError("SERVICE_UNAVAILABLE", "Claude's answer ended before it was complete. Retry to get a full answer.");
    } catch (error) {
      closing = true;
      clearTimeout(timer);
      await writing;
      void iterator.return?.().catch(() => undefined);
      const reason = signal.aborted ? (signal.reason as StopReason) : undefined;
      // Cancelled or deleted: whoever stopped it has ended the answer already.
      if (reason === "cancelled" || (reason === "gone" && !failure)) return;
      const fail = (code: ChatErrorCode, message: string, retryAfterS?: number) =>
        finish(messageId, {
          status: "error",
          remaining: pending,
          error: { code, message, ...(retryAfterS !== undefined ? { retryAfterS } : {}) },
          model: start?.model,
          inputTokens: start?.inputTokens,
          firstTokenMs: firstDelta?.firstTokenMs,
          totalMs: Math.round(performance.now() - startedAt),
        });
      if (reason === "shutdown") await fail("INTERRUPTED", INTERRUPTED_BY_RESTART);
      else if (error instanceof ModelError) await fail(error.code, error.message, error.retryAfterS);
      else {
        log.error({ err: failure ?? error, messageId }, "a chat answer failed");
        await fail("INTERNAL", INTERNAL_MESSAGE);
      }
    }
  }

  /** Ends the streaming answers whose process stopped stamping them. */
  async function sweep(): Promise<void> {
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id::text AS id FROM "ChatMessage" WHERE status = 'streaming' AND coalesce("heartbeatAt", "createdAt") < now() - $1 * interval '1 millisecond'`,
      [STALE_AFTER_MS],
    );
    for (const { id } of rows) {
      if (running.has(id)) continue;
      await finish(id, { status: "error", error: { code: "INTERRUPTED", message: INTERRUPTED_BY_CRASH } });
      log.warn({ messageId: id }, "a chat answer lost its server; ended it as interrupted");
    }
  }

  async function beat(): Promise<void> {
    if (running.size) await pool.query(`UPDATE "ChatMessage" SET "heartbeatAt" = now() WHERE status = 'streaming' AND "generatedBy" = $1`, [instanceId]);
    await sweep();
  }

  return {
    instanceId,
    finish,

    /** Starts writing an answer (its row already `streaming`, generated by this instance); resolves when it ended, never rejects. */
    run(model: ChatModel, messageId: string, request: Omit<ModelRequest, "signal">, startedAt: number): Promise<void> {
      const controller = new AbortController();
      if (stopping) controller.abort("shutdown" satisfies StopReason);
      const done = generate(model, messageId, request, startedAt, controller)
        .catch((err: unknown) => log.error({ err, messageId }, "a chat answer could not be saved"))
        .finally(() => running.delete(messageId));
      running.set(messageId, { controller, done });
      return done;
    },

    /** This instance's generation of the answer, if it runs here, stops (its answer was ended elsewhere). */
    abort(messageId: string, reason: StopReason = "cancelled") {
      running.get(messageId)?.controller.abort(reason);
    },

    async start() {
      unsubscribe = await bus.subscribe(CANCEL_CHANNEL, (messageId) => running.get(messageId)?.controller.abort("cancelled" satisfies StopReason));
      await sweep().catch((err: unknown) => log.warn({ err }, "the chat sweep failed"));
      let busy = false;
      heartbeat = setInterval(() => {
        if (busy) return;
        busy = true;
        // A database outage is reported once elsewhere; this just tries again next time.
        beat()
          .catch((err: unknown) => log.debug({ err }, "the chat heartbeat failed; trying again"))
          .finally(() => (busy = false));
      }, HEARTBEAT_MS);
      heartbeat.unref();
    },

    /** Ends this instance's answers as interrupted (saved with their text so far), then stops. */
    async stop() {
      stopping = true;
      clearInterval(heartbeat);
      unsubscribe?.();
      const all = [...running.values()];
      for (const { controller } of all) controller.abort("shutdown" satisfies StopReason);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(all.map((g) => g.done)), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(timer);
    },

    get size() {
      return running.size;
    },
  };
}

export type Generations = ReturnType<typeof createGenerations>;
