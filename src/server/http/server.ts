import { createHash, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { TRPCError } from "@trpc/server";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { WebSocketServer, type WebSocket } from "ws";
import type { HealthService } from "@/server/features/health/service";
import { metrics } from "@/server/metrics/index";
import { httpRoute, TRPC_UNKNOWN, trpcRoute } from "@/server/metrics/routes";
import { CLOSE_SERVICE_RESTART, TRPC_HTTP_PATH, TRPC_WS_PATH as WS_PATH } from "@/shared/api";
import { routeMatcher, type HttpRoute } from "@/server/routes";
import { createHttpContext, createSocketContext, credentialOf, type ContextSource } from "@/server/trpc/context";
import { requestIdFrom, tagError, wasRecorded } from "@/server/trpc/request-id";
import type { AppRouter } from "@/server/trpc/router";
import { wsEncoder } from "@/server/trpc/wire";
import { createOriginGuard } from "./origin.js";
import { preparePageRequest, setSecurityHeaders } from "./security-headers.js";
import { essentialCalls, essentialPath, LoadShedder, overloaded, sendOverloaded } from "./shedding.js";
import { createHttpRateLimits } from "./rate-limits.js";
import { createSocketLimits } from "./socket-limits.js";
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
  /** While the server warms up (http/warm-up.ts) it answers, but /health/ready says not yet. */
  setWarmingUp(on: boolean): void;
}

function routeGroup(pathname: string): string {
  if (pathname.startsWith(TRPC_PREFIX)) return "trpc";
  if (pathname.startsWith("/health")) return "health";
  if (pathname === "/metrics") return "metrics";
  if (pathname.startsWith("/api/")) return "api";
  if (pathname.startsWith("/_next/")) return "next_asset";
  return "page";
}

/** What the front knows of a request while it is answered: its id, when it began, the route template that served it. */
const kRequest = Symbol("pulse.request");
interface RequestState {
  id: string;
  started: number;
  template: string | undefined;
}
type TrackedRequest = IncomingMessage & { [kRequest]?: RequestState };

function stateOf(req: IncomingMessage): RequestState | undefined {
  return (req as TrackedRequest)[kRequest];
}

/** The id of an HTTP request (its `X-Request-Id`). */
export function requestIdOf(req: IncomingMessage): string | undefined {
  return stateOf(req)?.id;
}

/** The error behind a tRPC error, for grouping: its message and where it was thrown. */
function errorOf(error: TRPCError): { name: string; message: string; stack?: string } {
  const origin = error.cause instanceof Error ? error.cause : error;
  return { name: origin.name, message: error.message || origin.message, stack: origin.stack };
}

/** Whether a `Authorization: Bearer …` header carries the token, compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith("Bearer ")) return false;
  // Digests have one length whatever was sent: timingSafeEqual needs that, and the length leaks nothing.
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token));
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
  let warmingUp = false;
  /** Responses not yet sent: when draining starts, each is told to close its connection. */
  const unanswered = new Set<ServerResponse>();
  function answered(this: ServerResponse): void {
    unanswered.delete(this);
  }

  const procedures = router._def.procedures as Record<string, unknown>;
  /** The route of a call the middleware never saw: its procedure's, or one route for every unknown path (they are the caller's to invent). */
  const failedRoute = (path: string | undefined) => (path !== undefined && Object.hasOwn(procedures, path) ? trpcRoute(path) : TRPC_UNKNOWN);

  const shedder = new LoadShedder(config.shedding, log);
  shedder.start();
  const httpLimits = createHttpRateLimits(parts);
  const socketLimits = createSocketLimits(parts);

  const handleTrpc = createTrpcHttpHandler({
    router,
    maxBodySize: config.maxBodyBytes,
    admit: httpLimits.admitTrpc,
    createContext: async (req, res, info) => {
      // Overloaded: refused before any work (no authentication), each call with a proper tRPC error.
      if (shedder.refuses(essentialCalls(procedures, info?.calls.map((call) => call.path) ?? []))) throw overloaded(res, config.shedding.retryAfterS);
      return createHttpContext(parts, req, res, stateOf(req)?.id ?? requestIdFrom(undefined));
    },
    onError: ({ error, path, req, res }) => {
      const state = stateOf(req);
      if (state) tagError(error, state.id);
      // Failed before the procedures' middleware (no such procedure, unparsable, no context): count it here, once per call.
      if (state && !wasRecorded(error)) {
        app.measurements.record({
          route: failedRoute(path),
          transport: "http",
          method: req.method ?? "GET",
          path: (path ?? "").slice(0, 300),
          status: getHTTPStatusCodeFromError(error),
          code: error.code,
          durationMs: performance.now() - state.started,
          userId: null,
          requestId: state.id,
          error: errorOf(error),
        });
      }
      if (error.code !== "INTERNAL_SERVER_ERROR" || app.databaseAvailability.report(error.cause)) return;
      log.error({ err: error, path, reqId: res.getHeader("X-Request-Id") }, "procedure failed");
    },
  });

  const originGuard = createOriginGuard({ router, config, log, trpcPrefix: TRPC_PREFIX });

  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string, query: string): Promise<void> {
    if (originGuard.http(req, res, pathname, query, stateOf(req)?.id ?? "")) return;
    if (!pathname.startsWith(TRPC_PREFIX) && !essentialPath(pathname) && shedder.refuses(false)) return sendOverloaded(res, config.shedding.retryAfterS);
    if (pathname.startsWith(TRPC_PREFIX)) return handleTrpc(req, res, pathname.slice(TRPC_PREFIX.length), query);
    switch (pathname) {
      case "/health": {
        const snapshot = await health.snapshot();
        return sendJson(res, snapshot.status === "unhealthy" ? 503 : 200, snapshot);
      }
      case "/health/live":
        return sendJson(res, 200, { status: "ok", uptimeS: Math.round((Date.now() - app.startedAt) / 1000) });
      case "/health/ready": {
        const readiness = draining
          ? { ready: false, detail: "shutting down" }
          : warmingUp
            ? { ready: false, detail: "warming up" }
            : await health.ready();
        return sendJson(res, readiness.ready ? 200 : 503, readiness);
      }
      case "/metrics": {
        if (config.metricsToken !== undefined && !bearerMatches(req.headers.authorization, config.metricsToken)) {
          res.writeHead(401, { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": 'Bearer realm="metrics"' });
          res.end("/metrics needs Authorization: Bearer <METRICS_TOKEN>\n");
          return;
        }
        const body = await metrics.registry.metrics();
        res.writeHead(200, { "Content-Type": metrics.registry.contentType });
        res.end(body);
        return;
      }
    }
    if (pathname.startsWith("/api/") && (await httpLimits.refuse(req, res))) return;
    const matched = matchRoute(req.method ?? "GET", pathname);
    if (matched) {
      const state = stateOf(req);
      if (state) state.template = matched.route.path;
      let caller: ReturnType<typeof parts.authenticate> | undefined;
      return matched.route.handle({
        req,
        res,
        params: matched.params,
        query: new URLSearchParams(query),
        caller: () => (caller ??= parts.authenticate(credentialOf(req))),
      });
    }
    if (next) {
      preparePageRequest(req, res, pathname, config);
      return next.handle(req, res);
    }
    sendJson(res, 404, { error: "Not found", requestId: stateOf(req)?.id });
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    const state: RequestState = { id: requestId, started, template: undefined };
    (req as TrackedRequest)[kRequest] = state;
    res.setHeader("X-Request-Id", requestId);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? "" : url.slice(q + 1);
    const route = routeGroup(pathname);
    setSecurityHeaders(res, pathname, config);
    res.once("finish", () => {
      const status = res.statusCode;
      const durationMs = performance.now() - started;
      metrics.httpRequests.inc({ route, method: req.method, status });
      metrics.httpDuration.observe({ route }, durationMs / 1000);
      // tRPC requests are measured per call (the procedures' middleware); everything else per request.
      if (route !== "trpc") {
        const method = req.method ?? "GET";
        app.measurements.record({
          route: httpRoute(method, pathname, status, state.template),
          transport: "http",
          method,
          path: pathname.length > 300 ? pathname.slice(0, 300) : pathname,
          status,
          code: null,
          durationMs,
          userId: null,
          requestId,
        });
      }
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
      if (!res.headersSent) sendJson(res, 500, { error: "Something went wrong on our side.", requestId });
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
    createContext: ({ req, res, info }) => createSocketContext({ ...parts, admitSocket: socketLimits.admitCaller }, req, res, info.connectionParams),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 10_000 },
    onError: ({ error, path, ctx }) => {
      let reqId = ctx?.requestId;
      // Failed before the procedures' middleware (no such procedure, no context), or a subscription's stream that ended in an error.
      if (!wasRecorded(error)) {
        reqId = ctx?.callRequestId?.() ?? reqId ?? requestIdFrom(undefined);
        tagError(error, reqId);
        app.measurements.record({
          route: failedRoute(path),
          transport: "ws",
          method: "WS",
          path: (path ?? "").slice(0, 300),
          status: getHTTPStatusCodeFromError(error),
          code: error.code,
          // Not known here: the call's start is inside tRPC's socket handler.
          durationMs: 0,
          userId: ctx?.caller?.user.id ?? null,
          requestId: reqId,
          error: errorOf(error),
        });
      }
      if (error.code !== "INTERNAL_SERVER_ERROR" || app.databaseAvailability.report(error.cause)) return;
      log.error({ err: error, path, reqId }, "socket procedure failed");
    },
  });
  const messagesIn = metrics.wsMessages.labels("in");
  const countIn = () => messagesIn.inc();
  // Messages out are counted where every frame is made: wsEncoder and ws-frames (trpc/).
  wss.on("connection", (socket: WebSocket) => {
    socket.once("close", app.connections.opened());
    socket.on("message", countIn);
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? "/").split("?", 1)[0];
    if (originGuard.upgrade(req, socket, requestIdFrom(req.headers["x-request-id"]))) return;
    if (pathname === WS_PATH && !draining) {
      void socketLimits.upgrade(wss, req, socket, head);
    } else if (next?.upgrade && pathname !== WS_PATH) {
      void next.upgrade(req, socket, head);
    } else {
      socket.destroy();
    }
  });

  return {
    server,
    setWarmingUp(on) {
      warmingUp = on;
    },
    async drain(graceMs) {
      draining = true;
      shedder.stop();
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
