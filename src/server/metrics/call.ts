/**
 * What the transport reports of each finished call. Its own module so that the parts of
 * Measurements that consume it (minutes, request log, error groups) need not import the class.
 */

/** One finished HTTP request (not under /api/trpc) or one tRPC call (over HTTP or WebSocket). */
export interface CallRecord {
  /** "trpc:sessions.list" | "GET /api/files/:id/download" | "GET /health" | "GET /_next/*" | "GET page:/sessions/:id" ... */
  route: string;
  transport: "http" | "ws";
  /** HTTP method; for a tRPC call over WebSocket: "WS". */
  method: string;
  /** URL path (http) or procedure path (trpc), truncated to 300 chars. */
  path: string;
  /** HTTP status; a tRPC error code's HTTP status (getHTTPStatusCodeFromError) over WS. */
  status: number;
  /** tRPC error code of a failed call, else null. */
  code: string | null;
  durationMs: number;
  userId: string | null;
  requestId: string;
  /** For error grouping. */
  error?: { name: string; message: string; stack?: string };
}
