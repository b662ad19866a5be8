import client from "prom-client";

/**
 * Process-wide metrics. Next evaluates server modules in more than one module graph, so the
 * registry lives on globalThis: a second evaluation finds it instead of registering twice.
 */
function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "pulse_" });
  return {
    registry,
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
    wsConnections: new client.Gauge({
      name: "pulse_websocket_connections",
      help: "Open WebSocket connections on this instance",
      registers: [registry],
    }),
    recentRequests: new RecentRequests(),
  };
}

/** Requests and server errors in the last five minutes, in ten-second buckets, for the health score. */
export class RecentRequests {
  private static readonly BUCKET_MS = 10_000;
  private static readonly BUCKETS = 30;
  private readonly totals = new Array<number>(RecentRequests.BUCKETS).fill(0);
  private readonly errors = new Array<number>(RecentRequests.BUCKETS).fill(0);
  private readonly stamps = new Array<number>(RecentRequests.BUCKETS).fill(-1);

  record(isError: boolean, now = Date.now()): void {
    const tick = Math.floor(now / RecentRequests.BUCKET_MS);
    const i = tick % RecentRequests.BUCKETS;
    if (this.stamps[i] !== tick) {
      this.stamps[i] = tick;
      this.totals[i] = 0;
      this.errors[i] = 0;
    }
    this.totals[i]! += 1;
    if (isError) this.errors[i]! += 1;
  }

  /** Fraction of requests that failed with a server error, 0 when there were none. */
  errorRate(now = Date.now()): { rate: number; total: number; errors: number } {
    const oldest = Math.floor(now / RecentRequests.BUCKET_MS) - RecentRequests.BUCKETS + 1;
    let total = 0;
    let errors = 0;
    for (let i = 0; i < RecentRequests.BUCKETS; i++) {
      if (this.stamps[i]! < oldest) continue;
      total += this.totals[i]!;
      errors += this.errors[i]!;
    }
    return { rate: total ? errors / total : 0, total, errors };
  }
}

export type Metrics = ReturnType<typeof createMetrics>;

const globalForMetrics = globalThis as { pulseMetrics?: Metrics };
export const metrics: Metrics = (globalForMetrics.pulseMetrics ??= createMetrics());
