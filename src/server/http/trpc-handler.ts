/**
 * tRPC over HTTP, without the Fetch API round trip.
 *
 * tRPC's stock node adapter turns every IncomingMessage into a Fetch `Request` (URL, Headers,
 * body stream, several AbortSignals), runs `resolveResponse`, then pipes the Fetch `Response`'s
 * web stream back into the ServerResponse. For a small query that glue costs several times
 * more than the procedure. Here the common case — GET queries and JSON POST mutations, single
 * or batched, answered with one JSON body — is answered directly: the request is parsed by
 * tRPC's own `getRequestInfo`, procedures run through tRPC's own procedure callers (so
 * middlewares, input parsing, error formatting and the transformer are tRPC's), and the
 * response is built exactly as `resolveResponse` builds it (status, body, `vary`/`content-type`
 * headers, `onError` calls) — the steps below mirror it line by line.
 *
 * Everything else — HEAD, `application/jsonl` streaming (httpBatchStreamLink), subscriptions
 * over SSE, form-data and octet-stream bodies — goes to the stock adapter unchanged.
 *
 * Longer than ~300 lines on purpose: it is one concern, a mirror of `resolveResponse`, and it is
 * checked against tRPC's source side by side, step for step; split, it could no longer be.
 */
import { getEventListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { AnyTRPCRouter } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { invokeProcedure } from "@/server/trpc/invoke";
import {
  TRPCError,
  getErrorShape,
  getHTTPStatusCode,
  getRequestInfo,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  type TRPCRequestInfo,
} from "@trpc/server/unstable-core-do-not-import";

type ProcedureType = "query" | "mutation" | "subscription";
type CallType = ProcedureType | "unknown";

export interface TrpcErrorInfo {
  error: TRPCError;
  path: string | undefined;
  type: CallType;
  input: unknown;
  ctx: unknown;
  req: IncomingMessage;
  res: ServerResponse;
}

export interface TrpcHttpHandlerOptions<TContext> {
  router: AnyTRPCRouter;
  maxBodySize: number;
  createContext(req: IncomingMessage, res: ServerResponse, info?: TRPCRequestInfo): Promise<TContext>;
  onError?(info: TrpcErrorInfo): void;
  /** Before anything is read or run (rate limits, the batch cap): an error to answer the whole request with, or undefined to go on. */
  admit?(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<TRPCError | undefined>;
}

/** `Headers.get`/`has` over node's lower-cased header object. */
class HeaderShim {
  constructor(private readonly headers: IncomingMessage["headers"]) {}
  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
  has(name: string): boolean {
    return this.headers[name.toLowerCase()] !== undefined;
  }
}

/** The slice of a Fetch `Request` that `getRequestInfo` reads: method, headers, JSON body, signal. */
class RequestShim {
  readonly method: string;
  readonly headers: HeaderShim;
  constructor(
    private readonly req: IncomingMessage,
    readonly signal: AbortSignal,
    private readonly maxBodySize: number,
  ) {
    this.method = req.method!;
    this.headers = new HeaderShim(req.headers);
  }
  async json(): Promise<unknown> {
    return JSON.parse(await readBody(this.req, this.maxBodySize));
  }
}

/**
 * The signal procedures get: aborted when the client goes away before its answer is written,
 * like the stock adapter's per-request signal. Node 20 takes several microseconds to make an
 * AbortSignal (more than the rest of a small query's own work), so the requests of one
 * connection share one, aborted when the connection closes. When the last request in flight
 * on the connection is answered and a procedure has left a listener on the signal, the signal
 * is retired — never aborted, as the stock adapter's is never aborted once its answer is
 * written — and the connection's next request gets a fresh one.
 */
const kConnectionAbort = Symbol("pulse.connectionAbort");
interface ConnectionAbort {
  controller: AbortController;
  inFlight: number;
}
/** undefined: never had one; null: retired, next request makes a new one. */
type TrackedSocket = Socket & { [kConnectionAbort]?: ConnectionAbort | null };

function abortConnection(this: TrackedSocket): void {
  this[kConnectionAbort]?.controller.abort();
}

function acquireSignal(req: IncomingMessage): AbortSignal {
  const socket = req.socket as TrackedSocket;
  let state = socket[kConnectionAbort];
  if (!state) {
    if (state === undefined) socket.once("close", abortConnection);
    state = { controller: new AbortController(), inFlight: 0 };
    socket[kConnectionAbort] = state;
    if (socket.destroyed) state.controller.abort();
  }
  state.inFlight++;
  return state.controller.signal;
}

function releaseSignal(req: IncomingMessage): void {
  const socket = req.socket as TrackedSocket;
  const state = socket[kConnectionAbort];
  if (!state || --state.inFlight > 0) return;
  if (getEventListeners(state.controller.signal, "abort").length > 0) socket[kConnectionAbort] = null;
}

const METHODS: Record<ProcedureType, readonly string[]> = { query: ["GET"], mutation: ["POST"], subscription: ["GET"] };

function contentTypeIs(header: string | undefined, type: string): boolean {
  return header?.toLowerCase().split(";", 1)[0]?.trim() === type;
}

/** What the stock adapter's `getAcceptHeader` would call a streaming (JSONL) request. */
function wantsJsonl(req: IncomingMessage): boolean {
  if (req.headers["trpc-accept"] !== undefined) return true; // any explicit trpc-accept: let tRPC decide
  const accept = req.headers.accept;
  return accept !== undefined && accept.includes("application/jsonl");
}

/** Reads the body up to `limit` bytes; over it, PAYLOAD_TOO_LARGE as the stock adapter reports it. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onFail);
      req.off("aborted", onFail);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
    };
    const onFail = (error?: unknown) => {
      cleanup();
      reject(error instanceof Error ? error : new Error("The request was aborted."));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onFail);
    req.on("aborted", onFail);
  });
}

/** `resolveResponse`'s `isDataStream`: a result holding async iterables or promises needs a streaming link. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch (cause) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `Invalid URL-encoding in path "${path}"`, cause });
  }
}

interface Answer {
  status: number;
  body: string;
  /**
   * tRPC sets `content-type: application/json` once the request has been understood; an error
   * before that (a malformed path or batch) goes out as a Fetch Response's default for a string.
   */
  contentType: "application/json" | "text/plain;charset=UTF-8" | undefined;
}

type ResponseItem = { result: { data: unknown } } | { error: unknown };
type Call = TRPCRequestInfo["calls"][number];
type CallResult = [TRPCError, undefined] | [undefined, unknown];
type ContextResult<TContext> = { ok: true; ctx: TContext } | { ok: false; error: TRPCError };

const STREAM_IN_PLAIN_RESPONSE = "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink";

export function createTrpcHttpHandler<TContext>(options: TrpcHttpHandlerOptions<TContext>) {
  const { router, maxBodySize, onError } = options;
  const config = router._def._config;

  function stock(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    return nodeHTTPRequestHandler({
      router,
      req,
      res,
      path,
      maxBodySize,
      // Its SSE responses say "no-cache", which lets a cache keep them: what a subscription says depends on who asks.
      responseMeta: () => ({ headers: { "cache-control": "no-store, no-transform" } }),
      createContext: ({ req, res, info }) => options.createContext(req, res, info) as never,
      onError: onError ? ({ error, path, type, input, ctx }) => onError({ error, path, type, input, ctx, req, res }) : undefined,
    });
  }

  const serialize = (value: unknown): unknown => config.transformer.output.serialize(value);

  /**
   * A response item through the transformer: what tRPC's `transformTRPCResponse` returns for
   * `{ result: { data } }` or `{ error }`, without its generic object spreads.
   */
  function transform(item: ResponseItem): ResponseItem {
    return "error" in item ? { error: serialize(item.error) } : { result: { data: serialize(item.result.data) } };
  }

  /** Status and body of one response (or a batch's array of them), as `resolveResponse` makes them. */
  function answer(item: ResponseItem | ResponseItem[], contentType: Answer["contentType"] = "application/json"): Answer {
    if (Array.isArray(item)) {
      const failed = item.some((i) => "error" in i);
      return { status: failed ? getHTTPStatusCode(item as never) : 200, body: JSON.stringify(item.map(transform)), contentType };
    }
    return { status: "error" in item ? getHTTPStatusCode(item as never) : 200, body: JSON.stringify(transform(item)), contentType };
  }

  /** One call of a request, as `resolveResponse` makes it: never rejects, reports failures to onError. */
  async function runCall(
    call: Call,
    request: RequestShim,
    context: ContextResult<TContext>,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<CallResult> {
    const procedure = call.procedure;
    try {
      if (!procedure) throw new TRPCError({ code: "NOT_FOUND", message: `No procedure found on path "${call.path}"` });
      const type = procedure._def.type as ProcedureType;
      if (!METHODS[type].includes(request.method)) {
        throw new TRPCError({
          code: "METHOD_NOT_SUPPORTED",
          message: `Unsupported ${request.method}-request to ${type} procedure at path "${call.path}"`,
        });
      }
      if (!context.ok) throw context.error;
      const data: unknown = await invokeProcedure(procedure, {
        path: call.path,
        getRawInput: call.getRawInput,
        ctx: context.ctx,
        type,
        signal: request.signal,
        batchIndex: call.batchIndex,
      });
      return [undefined, data];
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({
        error,
        path: call.path,
        input: call.result(),
        ctx: context.ok ? context.ctx : undefined,
        type: (procedure?._def.type as ProcedureType | undefined) ?? "unknown",
        req,
        res,
      });
      return [error, undefined];
    }
  }

  /** `resolveResponse`, for a request already known not to stream. Undefined: let the stock adapter answer. */
  async function resolve(req: IncomingMessage, res: ServerResponse, path: string, query: string, signal: AbortSignal): Promise<Answer | undefined> {
    const request = new RequestShim(req, signal, maxBodySize);

    let info: TRPCRequestInfo | undefined;
    let infoError: TRPCError | undefined;
    try {
      info = await getRequestInfo({
        req: request as unknown as Request,
        path: decodePath(path),
        router,
        searchParams: new URLSearchParams(query),
        headers: request.headers as unknown as Headers,
        // Stock passes the request's URL, which only reaches createContext (ours ignores it).
        url: null,
      });
    } catch (cause) {
      infoError = getTRPCErrorFromUnknown(cause);
    }
    if (info?.type === "subscription") return undefined; // SSE: the stock adapter streams it

    let context: ContextResult<TContext> | undefined;
    try {
      if (!info) throw infoError;
      try {
        context = { ok: true, ctx: await options.createContext(req, res, info) };
      } catch (cause) {
        context = { ok: false, error: getTRPCErrorFromUnknown(cause) };
      }
      const ctx = context.ok ? context.ctx : undefined;

      if (!info.isBatchCall) {
        const call = info.calls[0]!;
        const [error, data] = await runCall(call, request, context, req, res);
        if (isDataStream(data)) throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: STREAM_IN_PLAIN_RESPONSE });
        return answer(
          error
            ? { error: getErrorShape({ config, ctx, error, input: call.result(), path: call.path, type: info.type }) }
            : { result: { data } },
        );
      }

      const calls = info.calls;
      const results = await Promise.all(calls.map((call) => runCall(call, request, context!, req, res)));
      const items = results.map(([error, data], index): ResponseItem => {
        const call = calls[index]!;
        const failure =
          error ?? (isDataStream(data) ? new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: STREAM_IN_PLAIN_RESPONSE }) : undefined);
        if (!failure) return { result: { data } };
        const type = (call.procedure?._def.type as ProcedureType | undefined) ?? "unknown";
        return { error: getErrorShape({ config, ctx, error: failure, input: call.result(), path: call.path, type }) };
      });
      return answer(items);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      const type: CallType = info?.type ?? "unknown";
      const ctx = context?.ok ? context.ctx : undefined;
      onError?.({ error, path: undefined, input: undefined, ctx, type, req, res });
      const contentType = info ? "application/json" : "text/plain;charset=UTF-8";
      return answer({ error: getErrorShape({ config, error, type, path: undefined, input: undefined, ctx }) }, contentType);
    }
  }

  /** Answers a request under the tRPC prefix; `path` is what follows the prefix, `query` what follows `?`. */
  return async function handleTrpc(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
    const refusal = options.admit && (await options.admit(req, res, path, query));
    if (refusal) {
      // One error for the whole request: a batch's client gives it to each of its calls.
      onError?.({ error: refusal, path: undefined, input: undefined, ctx: undefined, type: "unknown", req, res });
      const refused = answer({ error: getErrorShape({ config, error: refusal, type: "unknown", path: undefined, input: undefined, ctx: undefined }) });
      res.statusCode = refused.status;
      res.setHeader("content-type", "application/json");
      res.end(refused.body);
      return;
    }
    const method = req.method;
    const fast =
      (method === "GET" || (method === "POST" && contentTypeIs(req.headers["content-type"], "application/json"))) && !wantsJsonl(req);
    if (!fast) return stock(req, res, path);

    let result: Answer | undefined;
    try {
      result = await resolve(req, res, path, query, acquireSignal(req));
    } catch (cause) {
      // Like the stock adapter's last-resort handler: a shape with type "unknown".
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({ error, path: undefined, input: undefined, ctx: undefined, type: "unknown", req, res });
      // No headers, like the stock adapter's last-resort handler.
      result = answer({ error: getErrorShape({ config, error, type: "unknown", path: undefined, input: undefined, ctx: undefined }) }, undefined);
    }
    releaseSignal(req);
    if (!result) return stock(req, res, path);
    if (!result.contentType) {
      res.statusCode = result.status;
      res.end(result.body);
      return;
    }
    if (res.statusCode === 200) res.statusCode = result.status;
    res.setHeader("content-type", result.contentType);
    res.setHeader("vary", "trpc-accept, accept");
    res.end(result.body);
  };
}
