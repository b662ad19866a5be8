/**
 * A stand-in for the third party (Anthropic) in the chat tests: a ChatModel that answers each
 * request with the next script — text deltas, pauses the test releases, or a ModelError — and
 * honours its abort signal like the real client. Only the model is faked; Pulse runs for real.
 */
import { ModelError, type ChatModel, type ModelErrorCode, type ModelEvent, type ModelRequest } from "@/server/features/chat/model";

export type Step = string | { wait: Promise<void> } | { fail: ModelErrorCode; message: string; retryAfterS?: number };

/** A pause the test ends with `open()`. */
export function gate() {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

export function scriptedModel() {
  const scripts: Step[][] = [];
  const requests: ModelRequest[] = [];

  const abortable = (wait: Promise<void>, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new DOMException("aborted", "AbortError"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      void wait.then(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });

  const model: ChatModel = {
    async *stream(request): AsyncGenerator<ModelEvent> {
      requests.push(request);
      const steps = scripts.shift() ?? ["Hello", " there."];
      const inputTokens = Math.ceil(request.messages.reduce((n, m) => n + m.content.length, request.system?.length ?? 0) / 4);
      yield { type: "start", model: request.model, inputTokens };
      let outputTokens = 0;
      for (const step of steps) {
        if (request.signal.aborted) throw new DOMException("aborted", "AbortError");
        if (typeof step === "string") {
          outputTokens++;
          yield { type: "delta", text: step };
        } else if ("wait" in step) await abortable(step.wait, request.signal);
        else throw new ModelError(step.fail, step.message, step.retryAfterS);
      }
      yield { type: "end", stopReason: "end_turn", inputTokens, outputTokens };
    },
  };

  return {
    model,
    requests,
    /** The steps of the next answer (queued: one script per request). */
    script: (...steps: Step[]) => void scripts.push(steps),
  };
}
