/**
 * WebSocket limits: sockets open per address and per account, calls per socket, calls per message.
 *
 * - Per address (`WS_CONNECTIONS_PER_IP`, 50): checked at the upgrade, before the handshake; over
 *   it the upgrade is answered `429 Too Many Requests` with `Retry-After`, and no socket opens.
 * - Per account (`WS_CONNECTIONS_PER_USER`, 20): the account is known only once the socket's
 *   context is made (a program sends its token after the handshake), so a socket over it is closed
 *   then, with CLOSE_TOO_MANY_CONNECTIONS (4429) and a reason saying why.
 * - Calls per socket (`WS_MESSAGES_PER_10S`, 100 per 10 s; each call of a batch counts): decided
 *   before tRPC reads the message, so a flooding socket costs little and never reaches a procedure
 *   or the database. Calls over it are answered TOO_MANY_REQUESTS (with `retryAfterS`); a socket
 *   that sends another full allowance's worth in the same 10 s is closed with
 *   CLOSE_TOO_MANY_MESSAGES (4008). Other sockets are not touched.
 * - Calls per message (`TRPC_MAX_BATCH`): a message holding more is answered BAD_REQUEST for each
 *   of its calls, none of which runs.
 *
 * Open sockets are counted per instance (a socket lives on one), so behind a load balancer an
 * address or account may hold the limit on each instance. Sockets carrying the running load test's
 * secret are not counted or limited (see rate-limits.ts).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { TRPCError } from "@trpc/server";
import { getErrorShape, transformTRPCResponse, type AnyRouter } from "@trpc/server/unstable-core-do-not-import";
import type { WebSocket, WebSocketServer } from "ws";
import type { Caller } from "@/server/features/auth/service";
import { rateLimitKey } from "@/server/ip-address";
import { metrics } from "@/server/metrics/index";
import { requestIdFrom, tagError } from "@/server/trpc/request-id";
import { wsEncoder } from "@/server/trpc/wire";
import { CLOSE_TOO_MANY_CONNECTIONS, CLOSE_TOO_MANY_MESSAGES } from "@/shared/api";
import { clientIp } from "./client-ip.js";
import { batchTooLarge, loadTestExempt, tooManyRequests, type RateLimitParts } from "./rate-limits.js";

const WINDOW_MS = 10_000;
/** What a client refused at the upgrade is told to wait: a socket of its own must close first, which cannot be known. */
const UPGRADE_RETRY_AFTER_S = 10;

export interface SocketLimitParts extends RateLimitParts {
  router: AnyRouter;
}

/** A message as tRPC's protocol has it, as far as a refusal needs: whom to answer. */
interface Call {
  id?: unknown;
  jsonrpc?: unknown;
  method?: unknown;
  params?: { path?: unknown };
}

function increment(counts: Map<string, number>, key: string): () => void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return () => {
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  };
}

/** The calls of a text frame, parsed; null when it is not JSON (tRPC answers that itself). */
function parseCalls(text: string): Call[] | null {
  try {
    const parsed: unknown = JSON.parse(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    return list.filter((item): item is Call => typeof item === "object" && item !== null);
  } catch {
    return null;
  }
}

/** Whether a frame holds a batch (a JSON array): only then must it be parsed to be counted. */
function isBatch(data: Buffer): boolean {
  for (const byte of data) {
    if (byte === 0x5b) return true; // [
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return false;
}

export function createSocketLimits(parts: SocketLimitParts) {
  const { app, router } = parts;
  const { rateLimits, trustProxy } = app.config;
  const config = router._def._config;
  const perIp = new Map<string, number>();
  const perUser = new Map<string, number>();
  const refused = {
    ip: metrics.rateLimited.labels("ws_ip"),
    user: metrics.rateLimited.labels("ws_user"),
    calls: metrics.rateLimited.labels("ws_calls"),
    batch: metrics.rateLimited.labels("batch"),
    closed: metrics.rateLimited.labels("ws_closed"),
  };

  /** Answers each call of a refused message with the error, as tRPC would have (its shape, its id). */
  function answer(socket: WebSocket, calls: Call[], error: TRPCError): void {
    for (const call of calls) {
      if (call.id === undefined || call.id === null || call.method === "subscription.stop" || call.method === "connectionParams") continue;
      tagError(error, requestIdFrom(undefined));
      const path = typeof call.params?.path === "string" ? call.params.path : undefined;
      const type = call.method === "query" || call.method === "mutation" || call.method === "subscription" ? call.method : "unknown";
      const shape = getErrorShape({ config, error, type, path, input: undefined, ctx: undefined });
      socket.send(wsEncoder.encode(transformTRPCResponse(config, { id: call.id as number, jsonrpc: call.jsonrpc as "2.0" | undefined, error: shape })));
    }
  }

  const limits = {
    /**
     * At the upgrade, before the handshake: null when the address has too many sockets open here
     * (the upgrade is then answered 429 and closed). Counts the socket until it closes.
     */
    async admitUpgrade(req: IncomingMessage, socket: Duplex): Promise<{ exempt: boolean } | null> {
      if (await loadTestExempt(parts, req)) return { exempt: true };
      if (rateLimits.wsConnectionsPerIp === 0) return { exempt: false };
      const key = rateLimitKey(clientIp(req, trustProxy));
      if ((perIp.get(key) ?? 0) >= rateLimits.wsConnectionsPerIp) {
        refused.ip.inc();
        const body = JSON.stringify({
          error: `Too many WebSocket connections from your address (at most ${rateLimits.wsConnectionsPerIp}). Close some before opening another.`,
          code: "TOO_MANY_REQUESTS",
          retryAfterS: UPGRADE_RETRY_AFTER_S,
        });
        socket.once("finish", () => socket.destroy());
        socket.end(
          `HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${UPGRADE_RETRY_AFTER_S}\r\nContent-Type: application/json; charset=utf-8\r\n` +
            `Cache-Control: no-store\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return null;
      }
      socket.once("close", increment(perIp, key));
      return { exempt: false };
    },

    /**
     * Puts the per-socket call allowance and the batch cap in front of tRPC's own message handler:
     * a refused message is answered here and never reaches it.
     */
    watch(socket: WebSocket, exempt: boolean): void {
      const allowance = exempt ? 0 : rateLimits.wsMessagesPer10s;
      const maxBatch = rateLimits.maxBatch;
      let windowStart = performance.now();
      let calls = 0;
      const admit = (data: Buffer, binary: boolean): boolean => {
        let parsed: Call[] | null = null;
        let count = 1;
        if (!binary && isBatch(data)) {
          parsed = parseCalls(data.toString("utf8"));
          count = parsed?.length ?? 1;
          if (count > maxBatch) {
            refused.batch.inc();
            answer(socket, parsed ?? [], batchTooLarge(count, maxBatch));
            return false;
          }
        }
        if (allowance === 0) return true;
        const now = performance.now();
        if (now - windowStart >= WINDOW_MS) {
          windowStart = now;
          calls = 0;
        }
        calls += count;
        if (calls <= allowance) return true;
        refused.calls.inc(count);
        if (calls > 2 * allowance) {
          if (socket.readyState === socket.OPEN) refused.closed.inc();
          socket.close(CLOSE_TOO_MANY_MESSAGES, "Too many messages: the socket went on sending after being told to wait.");
          return false;
        }
        const retryAfterS = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
        const message = `Too many calls on this connection (at most ${allowance} in 10 s). Try again in ${retryAfterS} s.`;
        if (!binary) answer(socket, parsed ?? parseCalls(data.toString("utf8")) ?? [], tooManyRequests(message, retryAfterS));
        return false;
      };
      // tRPC listens for "message" itself; deciding in emit() is the one place that comes before it.
      const emit = socket.emit;
      socket.emit = function admitted(this: WebSocket, event: string | symbol, ...args: unknown[]): boolean {
        if (event === "message" && Buffer.isBuffer(args[0]) && !isKeepAlive(args[0]) && !admit(args[0], args[1] === true)) return true;
        return emit.call(this, event, ...args);
      } as WebSocket["emit"];
    },

    /** Upgrades `/api/ws` unless its address is over the limit; the socket is watched from its first message. */
    async upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
      try {
        const admitted = await limits.admitUpgrade(req, socket);
        if (!admitted) return;
        wss.handleUpgrade(req, socket, head, (ws) => {
          limits.watch(ws, admitted.exempt);
          wss.emit("connection", ws, req);
        });
      } catch (err) {
        app.log.warn({ err }, "WebSocket upgrade failed");
        socket.destroy();
      }
    },

    /** When the socket's caller is known: false (and the socket closed) when the account has too many open here. */
    admitCaller(socket: WebSocket, caller: Caller): boolean {
      if (caller.rateLimitExempt || rateLimits.wsConnectionsPerUser === 0) return true;
      const userId = caller.user.id;
      if ((perUser.get(userId) ?? 0) >= rateLimits.wsConnectionsPerUser) {
        refused.user.inc();
        socket.close(CLOSE_TOO_MANY_CONNECTIONS, `Too many connections for this account (at most ${rateLimits.wsConnectionsPerUser}): close another tab or program.`);
        return false;
      }
      socket.once("close", increment(perUser, userId));
      return true;
    },
  };
  return limits;
}

/** tRPC's keep-alive frames, which are not calls. */
function isKeepAlive(data: Buffer): boolean {
  return data.length === 4 && (data.toString("latin1") === "PING" || data.toString("latin1") === "PONG");
}

export type SocketLimits = ReturnType<typeof createSocketLimits>;
