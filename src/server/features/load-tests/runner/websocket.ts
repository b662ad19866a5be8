/**
 * The `websocket` scenario: N sockets follow one load-test session's events while a publisher
 * sends chat lines into it at a steady rate. Each delivery is timed from the moment its message
 * was sent; at the end, delivered is compared with published × subscribers.
 */
import { LOAD_TEST_LIMITS } from "@/shared/load-tests";
import { createLoadSession } from "./http.js";
import type { RunnerSettings } from "./protocol.js";
import type { Recorder } from "./recorder.js";
import { trpcCall } from "./trpc-http.js";
import { LoadSocket } from "./trpc-socket.js";

const CONNECT_BATCH = 50;
/** After the last message is acknowledged, how long deliveries may still take before they count as lost. */
const DRAIN_MS = 5_000;
const TEXT_PREFIX = "Load test message ";

export async function runWebsocket(settings: RunnerSettings, recorder: Recorder, signal: AbortSignal): Promise<void> {
  const sessionId = await createLoadSession(settings, "Load test: WebSocket fan-out");
  // Subscribing "from now" means from when the server's stream starts, which may be after its
  // "started" reaches us and after the first message is sent: start from a known id instead.
  const { lastEventId } = await trpcCall<{ lastEventId: string | null }>(settings, "query", "sessions.byId", { sessionId });
  const sockets: LoadSocket[] = [];
  /** When each message was sent, by its number; and how many subscribers got it. */
  const sentAt = new Map<number, number>();
  const delivery = { delivered: 0, expected: 0 };
  recorder.delivery = delivery;
  let subscribed = 0;
  try {
    // Connect and subscribe in batches: a thousand handshakes at once would measure the handshake, not the fan-out.
    for (let start = 0; start < settings.connections && !signal.aborted; start += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, settings.connections - start) }, () => subscribeOne());
      await Promise.all(batch);
    }
    recorder.activeConnections = subscribed;

    const rate = Math.min(settings.ratePerS ?? LOAD_TEST_LIMITS.websocketRate.default, LOAD_TEST_LIMITS.websocketRate.max);
    const deadline = performance.now() + settings.durationS * 1000;
    let sequence = 0;
    const publishing: Promise<void>[] = [];
    for (let next = performance.now(); next < deadline && !signal.aborted && sequence * subscribed < settings.maxRequests; next += 1000 / rate) {
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait, signal);
      if (signal.aborted) break;
      const n = ++sequence;
      publishing.push(publish(n));
    }
    await Promise.all(publishing);
    // Deliveries still on their way: wait for them (or the drain time), unless stopped.
    const drainUntil = performance.now() + DRAIN_MS;
    while (delivery.delivered < delivery.expected && performance.now() < drainUntil && !signal.aborted) await sleep(50, signal);
    if (delivery.delivered < delivery.expected) recorder.failed("not delivered", undefined, delivery.expected - delivery.delivered);
  } finally {
    for (const socket of sockets) socket.close();
    recorder.activeConnections = 0;
    await trpcCall(settings, "mutation", "sessions.end", { sessionId }).catch(() => undefined);
  }

  async function subscribeOne(): Promise<void> {
    let socket: LoadSocket;
    try {
      socket = await LoadSocket.open(settings);
    } catch (error) {
      recorder.failed(`connect: ${(error as Error).message}`);
      return;
    }
    sockets.push(socket);
    const seen = new Set<number>();
    await new Promise<void>((resolve) => {
      socket.subscribe("sessions.events", { sessionId, lastEventId }, {
        onStarted: () => {
          subscribed++;
          recorder.activeConnections = subscribed;
          resolve();
        },
        onData: (data) => {
          const event = data as { type?: string; text?: string };
          if (event.type !== "message" || !event.text?.startsWith(TEXT_PREFIX)) return;
          const n = Number(event.text.slice(TEXT_PREFIX.length));
          const sent = sentAt.get(n);
          if (sent === undefined || seen.has(n)) return;
          seen.add(n);
          delivery.delivered++;
          recorder.ok(performance.now() - sent);
        },
        onError: (message) => {
          recorder.failed(`subscription: ${message}`);
          resolve();
        },
      });
    });
  }

  async function publish(n: number): Promise<void> {
    const started = performance.now();
    sentAt.set(n, started);
    try {
      await trpcCall(settings, "mutation", "sessions.sendMessage", { sessionId, text: `${TEXT_PREFIX}${n}` });
      // Counted once the server has acknowledged it: only what it accepted can be owed to subscribers.
      delivery.expected += subscribed;
    } catch (error) {
      recorder.failed(`publish: ${(error as Error).message}`);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
