import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";
import type { HealthService } from "@/server/features/health/service";
import { metrics } from "@/server/metrics/index";
import { CLOSE_SERVICE_RESTART, TRPC_HTTP_PATH, TRPC_WS_PATH as WS_PATH } from "@/shared/api";
import { routeMatcher, type HttpRoute } from "@/server/routes";
import { createHttpContext, createSocketContext, credentialOf, type ContextSource } from "@/server/trpc/context";
import type { AppRouter } from "@/server/trpc/router";
import { wsEncoder } from "@/server/trpc/wire";
import { createTrpcHttpHandler } from "./trpc-handler.js";

export { CLOSE_SERVICE_RESTART, WS_PATH };
export const TRPC_PREFIX = `${TRPC_HTTP_PATH}/`;

/** Next.js's request and upgrade handlers; absent in API-only mode (integration tests, benchmarks). */
export interface NextHandlers {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

export interface PulseHttpServer {
  server: http.Server;
  /** Stops accepting, asks WebSocket clients to reconnect elsewhere, waits for in-flight requests. */
  drain(graceMs: number): Promise<void>;
}

function routeGroup(pathname: string): string {
  if (pathname.startsWith(TRPC_PREFIX)) return "trpc";
  if (pathname.startsWith("/health")) return "health";
  if (pathname === "/metrics") return "metrics";
  if (pathname.startsWith("/api/")) return "api";
  if (pathname.startsWith("/_next/")) return "next_asset";
  return "page";
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(text);
}

/** What the front serves: the API (its router, and what its contexts are made from) and the health routes. */
export interface HttpServerParts extends ContextSource {
  router: AppRouter;
  health: HealthService;
  /** The features' own HTTP routes (feature.ts `routes`). */
  routes: readonly HttpRoute[];
}

export function createHttpServer(parts: HttpServerParts, next?: NextHandlers): PulseHttpServer {
  const { app, router, health } = parts;
  const matchRoute = routeMatcher(parts.routes);
  const { log, config } = app;
  let draining = false;
  /** Responses not yet sent: when draining starts, each is told to close its connection. */
  const unanswered = new Set<ServerResponse>();
  function answered(this: ServerResponse): void {
    unanswered.delete(this);
  }

  const handleTrpc = createTrpcHttpHandler({
    router,
    maxBodySize: config.maxBodyBytes,
    createContext: (req, res) => createHttpContext(parts, req, res),
    onError: ({ error, path, res }) => {
      if (error.code !== "INTERNAL_SERVER_ERROR" || app.databaseAvailability.report(error.cause)) return;
      log.error({ err: error, path, reqId: res.getHeader("X-Request-Id") }, "procedure failed");
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string, query: string): Promise<void> {
    if (pathname.startsWith(TRPC_PREFIX)) return handleTrpc(req, res, pathname.slice(TRPC_PREFIX.length), query);
    switch (pathname) {
      case "/health": {
        const snapshot = await health.snapshot();
        return sendJson(res, snapshot.status === "unhealthy" ? 503 : 200, snapshot);
      }
      case "/health/live":
        return sendJson(res, 200, { status: "ok", uptimeS: Math.round((Date.now() - app.startedAt) / 1000) });
      case "/health/ready": {
        const readiness = draining ? { ready: false, detail: "shutting down" } : await health.ready();
        return sendJson(res, readiness.ready ? 200 : 503, readiness);
      }
      case "/metrics": {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { "Content-Type": metrics.registry.contentType });
        res.end(body);
        return;
      }
    }
    const matched = matchRoute(req.method ?? "GET", pathname);
    if (matched) {
      let caller: ReturnType<typeof parts.authenticate> | undefined;
      return matched.route.handle({
        req,
        res,
        params: matched.params,
        query: new URLSearchParams(query),
        caller: () => (caller ??= parts.authenticate(credentialOf(req))),
      });
    }
    if (next) return next.handle(req, res);
    sendJson(res, 404, { error: "Not found" });
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const requestId = (req.headers["x-request-id"] as string | undefined)?.slice(0, 100) || randomUUID();
    res.setHeader("X-Request-Id", requestId);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? "" : url.slice(q + 1);
    const route = routeGroup(pathname);
    res.once("finish", () => {
      const status = res.statusCode;
      metrics.httpRequests.inc({ route, method: req.method, status });
      metrics.httpDuration.observe({ route }, (performance.now() - started) / 1000);
      if (route !== "next_asset") metrics.recentRequests.record(status >= 500);
      // A 503 is an outage or a drain, each logged once where it is known, not per request.
      if (status >= 500 && status !== 503) log.error({ reqId: requestId, method: req.method, path: pathname, status }, "request failed");
    });
    if (draining) res.setHeader("Connection", "close");
    else {
      unanswered.add(res);
      res.once("close", answered);
    }
    handle(req, res, pathname, query).catch((err: unknown) => {
      log.error({ err, reqId: requestId, path: pathname }, "unhandled request error");
      if (!res.headersSent) sendJson(res, 500, { error: "Something went wrong on our side." });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout

  // One WebSocket server, attached by hand: upgrades are routed by path, each exactly once.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxBodyBytes });
  const trpcSockets = applyWSSHandler({
    wss,
    router,
    // Splices values serialized once (shared events, health snapshots) into each frame.
    experimental_encoder: wsEncoder,
    createContext: ({ req, res, info }) => createSocketContext(parts, req, res, info.connectionParams),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    onError: ({ error, path }) => {
      if (error.code !== "INTERNAL_SERVER_ERROR" || app.databaseAvailability.report(error.cause)) return;
      log.error({ err: error, path }, "socket procedure failed");
    },
  });
  wss.on("connection", (socket) => {
    socket.once("close", app.connections.opened());
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? "/").split("?", 1)[0];
    if (pathname === WS_PATH && !draining) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    } else if (next?.upgrade && pathname !== WS_PATH) {
      void next.upgrade(req, socket, head);
    } else {
      socket.destroy();
    }
  });

  return {
    server,
    async drain(graceMs) {
      draining = true;
      // In-flight requests are answered, on a connection that then closes instead of idling.
      for (const res of unanswered) if (!res.headersSent) res.setHeader("Connection", "close");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      trpcSockets.broadcastReconnectNotification();
      for (const socket of wss.clients) socket.close(CLOSE_SERVICE_RESTART, "server restarting");
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        log.warn("grace period over: closing remaining connections");
        server.closeAllConnections();
        for (const socket of wss.clients) socket.terminate();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      wss.close();
    },
  };
}
