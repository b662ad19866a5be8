import { createWSClient, httpBatchLink, splitLink, wsLink, type TRPCLink, type TRPCWebSocketClient } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "@/server/trpc/router";
import { TRPC_HTTP_PATH, TRPC_WS_PATH } from "@/shared/api";

export interface LinkOptions {
  /** Base URL of the server, e.g. http://localhost:3000 (the browser passes its own origin). */
  baseUrl: string;
  /** Headers for HTTP calls (a program's `Authorization: Bearer`). Browsers send the cookie instead. */
  headers?: () => Record<string, string>;
  /** Sent once when the socket opens: the server authenticates the whole socket with it. */
  connectionParams?: () => Record<string, string>;
  /** Node before 22 has no global WebSocket: pass `ws`'s. */
  WebSocket?: typeof globalThis.WebSocket;
  onSocketOpen?: () => void;
  onSocketClose?: (code?: number) => void;
}

/** 0.5 s, 1 s, 2 s … up to 30 s, with jitter so that many clients do not reconnect in step. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export function toWebSocketUrl(baseUrl: string): string {
  const url = new URL(TRPC_WS_PATH, baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Queries and mutations go over batched HTTP; subscriptions over one shared WebSocket. */
export function createLinks(options: LinkOptions): { links: TRPCLink<AppRouter>[]; socket: TRPCWebSocketClient } {
  const socket = createWSClient({
    url: toWebSocketUrl(options.baseUrl),
    WebSocket: options.WebSocket,
    connectionParams: options.connectionParams,
    retryDelayMs: reconnectDelayMs,
    keepAlive: { enabled: true, intervalMs: 20_000, pongTimeoutMs: 10_000 },
    lazy: { enabled: true, closeMs: 5_000 },
    onOpen: options.onSocketOpen,
    onClose: (cause) => options.onSocketClose?.(cause?.code),
  });
  const links = [
    splitLink<AppRouter>({
      condition: (op) => op.type === "subscription",
      true: wsLink<AppRouter>({ client: socket, transformer: superjson }),
      false: httpBatchLink<AppRouter>({
        url: new URL(TRPC_HTTP_PATH, options.baseUrl).toString(),
        transformer: superjson,
        headers: options.headers,
      }),
    }),
  ];
  return { links, socket };
}
