/**
 * A production server's warm-up, between listening and saying it is up: it opens a few database
 * connections and makes calls to itself over HTTP and WebSocket (a credential lookup included),
 * 5 rounds of each, some 50 ms. V8 compiles a function when it first runs and optimises it
 * after many runs, and pg opens connections when first asked: without this the first people to
 * connect after a deploy paid for both (a cold server's first 100 sockets took 3–4 times the CPU
 * of later ones).
 *
 * The calls are real ones (health.ping, health.live, an API token that matches no one), so the
 * request log and the minute's figures count them like any other; their HTTP request ids start
 * with `warm-up-`. Failures are logged and ignored: a warm-up never stops a start.
 */
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { WebSocket } from "ws";
import { API_TOKEN_PREFIX } from "@/server/features/auth/tokens";
import type { Logger } from "@/server/log";
import { TRPC_HTTP_PATH, TRPC_WS_PATH } from "@/shared/api";

const ROUNDS = 5;
const POOL_CONNECTIONS = 4;
const TIMEOUT_MS = 2_000;

/** One socket: connection params, a subscription to health.live, its first event, close. */
function socketRound(url: string, requestId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}${TRPC_WS_PATH}?connectionParams=1`, { headers: { "x-request-id": requestId } });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error("no event in time"));
    }, TIMEOUT_MS);
    socket.on("open", () => {
      // A well-formed token that belongs to no one: the lookup runs, the socket stays anonymous.
      socket.send(JSON.stringify({ method: "connectionParams", data: { token: API_TOKEN_PREFIX + randomBytes(32).toString("base64url") } }));
      socket.send(JSON.stringify({ id: 1, method: "subscription", params: { path: "health.live", input: { json: undefined } } }));
    });
    socket.on("message", () => {
      clearTimeout(timer);
      socket.once("close", () => resolve());
      socket.close(1000);
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function warmUp(url: string, pool: pg.Pool, log: Logger): Promise<void> {
  const started = performance.now();
  try {
    const clients = await Promise.all(Array.from({ length: Math.min(POOL_CONNECTIONS, pool.options.max ?? POOL_CONNECTIONS) }, () => pool.connect()));
    for (const client of clients) client.release();
    for (let round = 0; round < ROUNDS; round++) {
      const requestId = `warm-up-${round}`;
      const response = await fetch(`${url}${TRPC_HTTP_PATH}/health.ping`, { headers: { "x-request-id": requestId }, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await response.arrayBuffer();
      await socketRound(url, requestId);
    }
    log.debug({ ms: Math.round(performance.now() - started) }, "warmed up");
  } catch (err) {
    log.warn({ err }, "warm-up failed (the server starts anyway)");
  }
}
