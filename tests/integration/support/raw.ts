/**
 * Raw access for tests that must see what the typed client hides: HTTP status codes and
 * headers, the exact error shape, WebSocket close codes, and the database rows themselves.
 */
import pg from "pg";
import superjson from "superjson";
import WebSocket from "ws";

export interface RawError {
  message: string;
  code: number;
  data: { code: string; httpStatus: number; path?: string; zodError?: { fieldErrors: Record<string, string[]> } | null; retryAfterS?: number | null; requestId?: string | null };
}

export interface RawResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The procedure's result (deserialised), when it succeeded. */
  data?: T;
  /** The error shape (deserialised), when it failed. */
  error?: RawError;
  text: string;
}

function decode<T>(status: number, headers: Headers, text: string): RawResponse<T> {
  let body: { result?: { data: unknown }; error?: unknown } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    return { status, headers, text };
  }
  return {
    status,
    headers,
    text,
    data: body?.result ? (superjson.deserialize(body.result.data as never) as T) : undefined,
    error: body?.error ? (superjson.deserialize(body.error as never) as RawError) : undefined,
  };
}

export interface RawCallOptions {
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
  /** A raw request body, sent as is (for malformed or oversized bodies). */
  body?: string;
}

/** One non-batched tRPC mutation over HTTP POST. */
export async function mutate<T = unknown>(baseUrl: string, path: string, input?: unknown, options: RawCallOptions = {}) {
  const headers: Record<string, string> = { "Content-Type": "application/json", ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.Cookie = options.cookie;
  const body = options.body ?? JSON.stringify(superjson.serialize(input));
  const response = await fetch(`${baseUrl}/api/trpc/${path}`, { method: "POST", headers, body });
  return decode<T>(response.status, response.headers, await response.text());
}

/** One non-batched tRPC query over HTTP GET. */
export async function query<T = unknown>(baseUrl: string, path: string, input?: unknown, options: RawCallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.Cookie = options.cookie;
  const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
  const response = await fetch(`${baseUrl}/api/trpc/${path}${search}`, { headers });
  return decode<T>(response.status, response.headers, await response.text());
}

/** Runs one SQL statement against a test server's database. */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(
  databaseUrl: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Row counts of the tables a request could leave a partial write in. */
export async function rowCounts(databaseUrl: string) {
  const [row] = await sql<{ users: string; sessions: string; tokens: string; audit: string }>(
    databaseUrl,
    `SELECT (SELECT count(*) FROM "User") AS users, (SELECT count(*) FROM "LoginSession") AS sessions,
            (SELECT count(*) FROM "ApiToken") AS tokens, (SELECT count(*) FROM "AuditLog") AS audit`,
  );
  return { users: Number(row!.users), sessions: Number(row!.sessions), tokens: Number(row!.tokens), audit: Number(row!.audit) };
}

export class RawSocketError extends Error {
  constructor(readonly shape: RawError) {
    super(shape.message);
  }
}

/**
 * A WebSocket speaking tRPC's protocol by hand: every procedure type over the socket (the
 * typed client sends queries over HTTP), and the exact close code the server chose.
 */
export class RawSocket {
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Every non-response message the server sent (e.g. `{ method: "reconnect" }`). */
  readonly notifications: unknown[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (message: Record<string, unknown>) => void>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on("message", (raw) => {
      const text = raw.toString();
      if (text === "PING") return ws.send("PONG");
      if (text === "PONG") return;
      const message = JSON.parse(text) as Record<string, unknown>;
      const handler = typeof message.id === "number" ? this.pending.get(message.id) : undefined;
      if (handler) handler(message);
      else this.notifications.push(message);
    });
  }

  /**
   * Opens `/api/ws`. With `token`, sends it as connectionParams (like the typed client);
   * `headers` go on the upgrade request (a browser's cookie).
   */
  static async open(baseUrl: string, options: { token?: string; headers?: Record<string, string> } = {}): Promise<RawSocket> {
    const url = new URL("/api/ws", baseUrl);
    url.protocol = "ws:";
    if (options.token !== undefined) url.searchParams.set("connectionParams", "1");
    const ws = new WebSocket(url, { headers: options.headers });
    const socket = new RawSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    if (options.token !== undefined) ws.send(JSON.stringify({ method: "connectionParams", data: { token: options.token } }));
    return socket;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** A query or mutation over the socket; rejects with a RawSocketError carrying the error shape. */
  call<T = unknown>(method: "query" | "mutation", path: string, input?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (message) => {
        this.pending.delete(id);
        if (message.error) reject(new RawSocketError(superjson.deserialize(message.error as never) as RawError));
        else resolve(superjson.deserialize((message.result as { data: never }).data) as T);
      });
      this.ws.send(JSON.stringify({ id, method, params: { path, input: superjson.serialize(input) } }));
    });
  }

  /** Subscribes and resolves with the first `count` data events (then stops the subscription). */
  take<T = unknown>(path: string, count: number, input?: unknown): Promise<T[]> {
    const id = this.nextId++;
    const events: T[] = [];
    return new Promise<T[]>((resolve, reject) => {
      this.pending.set(id, (message) => {
        if (message.error) {
          this.pending.delete(id);
          return reject(new RawSocketError(superjson.deserialize(message.error as never) as RawError));
        }
        const result = message.result as { type: string; data?: never };
        if (result.type !== "data") return;
        events.push(superjson.deserialize(result.data!) as T);
        if (events.length === count) {
          this.pending.delete(id);
          this.ws.send(JSON.stringify({ id, method: "subscription.stop" }));
          resolve(events);
        }
      });
      this.ws.send(JSON.stringify({ id, method: "subscription", params: { path, input: superjson.serialize(input) } }));
    });
  }

  /**
   * Subscribes and records everything the subscription receives until it ends: its data (tracked
   * ones as `{ id, data }`), the error it failed with, and whether the server said it stopped.
   */
  subscribe<T = unknown>(path: string, input?: unknown): RawSubscription<T> {
    const id = this.nextId++;
    const subscription: RawSubscription<T> = { data: [], started: false, stopped: false };
    this.pending.set(id, (message) => {
      if (message.error) {
        subscription.error = superjson.deserialize(message.error as never) as RawError;
        this.pending.delete(id);
        return;
      }
      const result = message.result as { type: string; data?: never };
      if (result.type === "started") subscription.started = true;
      else if (result.type === "stopped") subscription.stopped = true;
      else if (result.type === "data") subscription.data.push(superjson.deserialize(result.data!) as T);
    });
    this.ws.send(JSON.stringify({ id, method: "subscription", params: { path, input: superjson.serialize(input) } }));
    return subscription;
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}

export interface RawSubscription<T> {
  data: T[];
  started: boolean;
  stopped: boolean;
  error?: RawError;
}

/** Resolves when `check` returns true, polling; rejects after `timeoutMs` with `what`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Races a promise against a timeout so a missing event fails the test with a message. */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    }),
  ]);
}

/** The tRPC error code a typed-client call failed with (or "OK"); fails on any non-tRPC error. */
export async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "OK";
  } catch (error) {
    const data = (error as { data?: { code?: string } }).data;
    if (!data?.code) throw error;
    return data.code;
  }
}

export interface ServerSentEvent {
  /** `message` for data; tRPC also sends `connected`, `ping`, `serialized-error` and `return`. */
  event: string;
  id?: string;
  data: string;
}

/**
 * A tRPC subscription over HTTP (server-sent events), read by hand: every event as sent, and
 * when the server ends the response.
 */
export class EventStream {
  readonly events: ServerSentEvent[] = [];
  /** Resolves when the server ends the response (or `close()` aborts it). */
  ended: Promise<void> = Promise.resolve();
  private readonly controller = new AbortController();

  static async open(baseUrl: string, path: string, input: unknown, options: RawCallOptions = {}): Promise<EventStream> {
    const headers: Record<string, string> = { Accept: "text/event-stream", ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.Cookie = options.cookie;
    const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
    const stream = new EventStream();
    const response = await fetch(`${baseUrl}/api/trpc/${path}${search}`, { headers, signal: stream.controller.signal });
    if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
      throw new Error(`not an event stream (${response.status}): ${await response.text()}`);
    }
    stream.ended = stream.read(response).catch(() => undefined);
    return stream;
  }

  private async read(response: Response): Promise<void> {
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: ServerSentEvent = { event: "message", data: "" };
        for (const line of block.split("\n")) {
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event.event = value;
          else if (field === "id") event.id = value;
          else if (field === "data") event.data += value;
        }
        this.events.push(event);
      }
    }
  }

  /** The data events, deserialised (a tracked event's id is in its SSE `id` field, see `events`). */
  data<T = unknown>(): T[] {
    return this.events.filter((e) => e.event === "message").map((e) => superjson.deserialize(JSON.parse(e.data)) as T);
  }

  /** The error the stream ended with, if it did. */
  error(): RawError | undefined {
    const failed = this.events.find((e) => e.event === "serialized-error");
    return failed ? (superjson.deserialize(JSON.parse(failed.data)) as RawError) : undefined;
  }

  close(): void {
    this.controller.abort();
  }
}

/** The server's `pulse_http_requests_total` samples, from /metrics: what it answered, by status. */
export async function servedRequests(baseUrl: string): Promise<string[]> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text.split("\n").filter((line) => line.startsWith("pulse_http_requests_total{"));
}
