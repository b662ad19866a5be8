/**
 * WebSocket connect + authenticate + first subscription event.
 *
 * Two clients, both opening a new socket per connection with an API token in the connection
 * params, subscribing to `health.live` and stopping the clock at its first event:
 *  - "protocol": a bare `ws` socket speaking tRPC's WebSocket protocol (what `createWSClient`
 *    sends: `?connectionParams=1`, a `connectionParams` message, a `subscription` request) —
 *    the lean load generator, so the figure is about the server, as autocannon is for HTTP;
 *  - "typed": the project's own `createPulseClient`, what a program using Pulse does — it
 *    also counts that client's own set-up cost on the load-generator core.
 */
import { build } from "hdr-histogram-js";
import superjson from "superjson";
import WebSocket from "ws";
import { createPulseClient } from "@/trpc/client";

export type ClientKind = "protocol" | "typed";

export interface ConnectSettings {
  connections: number;
  concurrency: number;
  warmup: number;
  timeoutMs: number;
  client: ClientKind;
}

export interface ConnectResult {
  client: ClientKind;
  ok: number;
  failed: number;
  failures: string[];
  latencyMs: { p50: number; p95: number; p99: number; max: number; min: number; mean: number };
  wallS: number;
  connectionsPerSecond: number;
}

const SUBSCRIBE = JSON.stringify({ id: 1, method: "subscription", params: { path: "health.live", input: superjson.serialize(undefined) } });

export function wsUrl(baseUrl: string): string {
  const url = new URL("/api/ws", baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "connectionParams=1";
  return url.toString();
}

/**
 * Opens a socket, authenticates, subscribes; resolves at the first `health.live` event with the
 * open socket (the caller closes it). Rejects on an error message, a close or the timeout.
 */
export function openSubscribed(baseUrl: string, token: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(baseUrl));
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.terminate();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
    socket.on("open", () => {
      socket.send(JSON.stringify({ method: "connectionParams", data: { token } }));
      socket.send(SUBSCRIBE);
    });
    socket.on("message", (raw) => {
      const message = JSON.parse(raw.toString()) as { id?: number; result?: { type?: string }; error?: { message?: string } };
      if (message.error) return fail(new Error(`error message: ${message.error.message}`));
      if (message.id === 1 && message.result?.type === "data") {
        clearTimeout(timer);
        socket.removeAllListeners("close");
        resolve(socket);
      }
    });
    socket.on("error", (error) => fail(error));
    socket.on("close", (code) => fail(new Error(`closed (${code}) before the first event`)));
  });
}

async function connectProtocol(baseUrl: string, token: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const socket = await openSubscribed(baseUrl, token, timeoutMs);
  const us = Math.round((performance.now() - started) * 1000);
  await new Promise<void>((resolve) => {
    socket.once("close", () => resolve());
    socket.close(1000);
  });
  return us;
}

async function connectTyped(baseUrl: string, token: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const client = createPulseClient({ url: baseUrl, token });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.unsubscribe();
        reject(new Error(`no event within ${timeoutMs} ms`));
      }, timeoutMs);
      const subscription = client.health.live.subscribe(undefined, {
        onData: () => {
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve();
        },
        onError: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    return Math.round((performance.now() - started) * 1000);
  } finally {
    await client.close();
  }
}

export async function measureConnect(baseUrl: string, tokens: string[], settings: ConnectSettings): Promise<ConnectResult> {
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const connect = settings.client === "typed" ? connectTyped : connectProtocol;
  const failures: string[] = [];
  let ok = 0;

  async function run(total: number, record: boolean) {
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const index = next++;
        try {
          const us = await connect(baseUrl, tokens[index % tokens.length]!, settings.timeoutMs);
          if (record) {
            histogram.recordValue(us);
            ok++;
          }
        } catch (error) {
          if (record) failures.push((error as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, total) }, worker));
  }

  await run(settings.warmup, false);
  const started = performance.now();
  await run(settings.connections, true);
  const wallS = (performance.now() - started) / 1000;

  const ms = (us: number) => Math.round(us / 10) / 100;
  const result: ConnectResult = {
    client: settings.client,
    ok,
    failed: failures.length,
    failures: [...new Set(failures)].slice(0, 5),
    latencyMs: {
      p50: ms(histogram.getValueAtPercentile(50)),
      p95: ms(histogram.getValueAtPercentile(95)),
      p99: ms(histogram.getValueAtPercentile(99)),
      max: ms(histogram.maxValue),
      min: ms(histogram.minNonZeroValue),
      mean: ms(histogram.mean),
    },
    wallS: Math.round(wallS * 100) / 100,
    connectionsPerSecond: Math.round(ok / wallS),
  };
  histogram.destroy();
  return result;
}
