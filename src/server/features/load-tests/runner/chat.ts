/**
 * The `chat` scenario: each connection keeps one Claude answer streaming at a time (send, follow
 * the stream to its end, send again), each in its own conversation. Only ever run against the
 * local stand-in (the service checks before it starts a run). A request's latency is the whole
 * answer, from send to its last event.
 */
import type { RunnerSettings } from "./protocol.js";
import type { Recorder } from "./recorder.js";
import { trpcCall } from "./trpc-http.js";
import { LoadSocket } from "./trpc-socket.js";

export async function runChat(settings: RunnerSettings, recorder: Recorder, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + settings.durationS * 1000;
  const conversations: string[] = [];
  await Promise.all(Array.from({ length: settings.connections }, () => converse()));
  await Promise.all(conversations.map((conversationId) => trpcCall(settings, "mutation", "chat.deleteConversation", { conversationId }).catch(() => undefined)));

  async function converse(): Promise<void> {
    let socket: LoadSocket;
    let conversationId: string;
    try {
      socket = await LoadSocket.open(settings);
      conversationId = (await trpcCall<{ id: string }>(settings, "mutation", "chat.createConversation", { title: "Load test" })).id;
      conversations.push(conversationId);
    } catch (error) {
      recorder.failed(`connect: ${(error as Error).message}`);
      return;
    }
    recorder.activeConnections++;
    try {
      while (!signal.aborted && performance.now() < deadline && recorder.requests < settings.maxRequests) {
        const started = performance.now();
        try {
          const { assistantMessageId } = await trpcCall<{ assistantMessageId: string }>(settings, "mutation", "chat.send", { conversationId, content: "Load test: answer briefly." });
          const outcome = await follow(socket, assistantMessageId, signal);
          if (outcome === "done") recorder.ok(performance.now() - started);
          else if (outcome !== "aborted") recorder.failed(outcome, performance.now() - started);
        } catch (error) {
          recorder.failed(`send: ${(error as Error).message}`, performance.now() - started);
        }
      }
    } finally {
      recorder.activeConnections--;
      socket.close();
    }
  }
}

/** Follows one answer's stream to `done` ("done"), an error event (its code), or the run's end ("aborted"). */
function follow(socket: LoadSocket, messageId: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const finish = (outcome: string) => {
      stop();
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    const onAbort = () => finish("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    const stop = socket.subscribe("chat.stream", { messageId }, {
      onData: (data) => {
        const event = data as { type?: string; code?: string };
        if (event.type === "done") finish("done");
        else if (event.type === "error") finish(`answer: ${event.code ?? "error"}`);
      },
      onError: (message) => finish(`stream: ${message}`),
    });
  });
}
