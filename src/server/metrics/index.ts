import client from "prom-client";

/**
 * Measurement, in the core: the transport records requests, calls and connections here, and
 * features read it (health's error rate) or add their own (a feature module's `metrics` hook).
 *
 * Process-wide metrics. Next evaluates server modules in more than one module graph, so the
 * registry lives on globalThis: a second evaluation finds it instead of registering twice.
 */
function createMetrics() {
  const registry = new client.Registry();
  /** WebSocket messages sent since the metrics were last read (trpc/wire.ts, trpc/ws-frames.ts). */
  const wsMessagesOut = { count: 0 };
  client.collectDefaultMetrics({ register: registry, prefix: "pulse_" });
  return {
    registry,
    wsMessagesOut,
    httpRequests: new client.Counter({
      name: "pulse_http_requests_total",
      help: "HTTP requests by route group, method and status",
      labelNames: ["route", "method", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: "pulse_http_request_duration_seconds",
      help: "HTTP request duration by route group",
      labelNames: ["route"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    trpcCalls: new client.Counter({
      name: "pulse_trpc_calls_total",
      help: "tRPC procedure calls by path, type and result code",
      labelNames: ["path", "type", "code"] as const,
      registers: [registry],
    }),
    trpcCallDuration: new client.Histogram({
      name: "pulse_trpc_call_duration_seconds",
      help: "tRPC procedure call duration by path, type and transport (paths are the fixed set of procedures)",
      labelNames: ["path", "type", "transport"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    wsMessages: new client.Counter({
      name: "pulse_websocket_messages_total",
      help: "WebSocket messages received (in) and sent (out) on this process",
      labelNames: ["direction"] as const,
      registers: [registry],
      // Messages out are counted as a plain number where they are made (wsEncoder, ws-frames: a
      // counter's inc per delivery costs a microsecond) and added here when the metrics are read.
      // Keep-alive PONGs are not counted.
      collect() {
        if (wsMessagesOut.count === 0) return;
        this.labels("out").inc(wsMessagesOut.count);
        wsMessagesOut.count = 0;
      },
    }),
    wsSlowClosed: new client.Counter({
      name: "pulse_websocket_slow_consumer_closes_total",
      help: "WebSockets closed for holding more unsent bytes than SLOW_CONSUMER_BYTES (their clients resume)",
      registers: [registry],
    }),
    rateLimited: new client.Counter({
      name: "pulse_rate_limited_total",
      help: "Requests, sockets and calls refused by a rate limit, by limit (http, batch, ws_ip, ws_user, ws_calls, ws_closed)",
      labelNames: ["limit"] as const,
      registers: [registry],
    }),
    wsConnectionsOpened: new client.Counter({
      name: "pulse_websocket_connections_total",
      help: "WebSocket connections opened on this process",
      registers: [registry],
    }),
    wsConnections: new client.Gauge({
      name: "pulse_websocket_connections",
      help: "Open WebSocket connections on this instance",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const globalForMetrics = globalThis as { pulseMetrics?: Metrics };
export const metrics: Metrics = (globalForMetrics.pulseMetrics ??= createMetrics());
