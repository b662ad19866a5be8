import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import type { WebSocket } from "ws";
import { RETRY_AFTER_S, UNAVAILABLE_MESSAGE } from "@/server/db/availability";
import type { App } from "@/server/app";
import type { Caller, RequestMeta } from "@/server/features/auth/service";
import { SESSION_COOKIE, SESSION_TTL_MS } from "@/server/features/auth/service";
import { LOAD_TEST_HEADER } from "@/shared/load-tests";
import { clientIp, forwardedProto } from "@/server/http/client-ip";
import type { CredentialCache } from "./credential-cache.js";
import type { SocketRegistry } from "./sockets.js";

/** What contexts are made from: the core, this server's socket registry, and who a secret belongs to. */
export interface ContextSource {
  app: App;
  sockets: SocketRegistry;
  /** The auth feature's `authenticate`: the caller a cookie or bearer secret stands for, or null. */
  authenticate(secret: string | undefined): Promise<Caller | null>;
  /** Whether a header value is the running load test's secret (its traffic passes the rate limits). */
  isLoadTestSecret?(secret: string): Promise<boolean>;
  /** The system feature's maintenance gate: throws when this caller's mutation at this path must wait. */
  checkMutation?(path: string, caller: Caller | null): void;
  /** Once a socket's caller is known: false when the account has too many sockets open (the socket is then closed). */
  admitSocket?(socket: WebSocket, caller: Caller): boolean;
  /** Sockets' callers remembered for a few seconds, kept in step with revocations (credential-cache.ts). */
  socketCredentials?: CredentialCache;
}

export interface Context {
  app: App;
  /** Open sockets and live streams by credential: `live()` holds its stream here while it runs. */
  sockets: SocketRegistry;
  caller: Caller | null;
  /** The socket registry's mark taken before the caller was authenticated (see SocketRegistry.mark). */
  credentialMark: number;
  meta: RequestMeta;
  /**
   * The id a person can quote: over HTTP the request's (`X-Request-Id`); over WebSocket each
   * call gets its own from `callRequestId` (the procedures' middleware puts it here), the
   * socket's own id until then.
   */
  requestId: string;
  /** Over WebSocket: a new id for each call on the socket, `<socket id>:<n>`. */
  callRequestId?(): string;
  /** The caller's WebSocket, for subscriptions that watch its send buffer; absent over HTTP. */
  socket?: WebSocket;
  /** Sets or clears the login cookie; over WebSocket there is no response to set it on. */
  setSessionCookie(token: string | null): void;
  /** Tells an HTTP client when to try again (`Retry-After`); over WebSocket the error's data says it. */
  setRetryAfter(seconds: number): void;
  /** From ContextSource: asked before every mutation (trpc.ts). */
  checkMutation?(path: string, caller: Caller | null): void;
}

/** A cookie's value; undefined when it is absent or cannot be decoded (`%` alone): no session, not an error. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
}

/** `PUBLIC_URL` when set; else the scheme and host the request came in on (Host is checked, not trusted blindly). */
function originOf(app: App, req: IncomingMessage): string {
  if (app.config.publicUrl) return app.config.publicUrl;
  const scheme = forwardedProto(req, app.config.trustProxy) ?? ("encrypted" in req.socket ? "https" : "http");
  const host = req.headers.host && /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(req.headers.host) ? req.headers.host : `localhost:${app.config.port}`;
  return `${scheme}://${host}`;
}

/** The secret an HTTP request carries: its bearer token, else its login cookie. */
export function credentialOf(req: IncomingMessage): string | undefined {
  return bearer(req) ?? readCookie(req.headers.cookie, SESSION_COOKIE);
}

function sessionCookie(app: App, token: string | null): string {
  const attributes = ["Path=/", "HttpOnly", "SameSite=Lax", app.config.secureCookies ? "Secure" : ""].filter(Boolean);
  if (token === null) return [`${SESSION_COOKIE}=`, "Max-Age=0", ...attributes].join("; ");
  return [`${SESSION_COOKIE}=${token}`, `Max-Age=${SESSION_TTL_MS / 1000}`, ...attributes].join("; ");
}

/** Built outside createHttpContext: a closure assigned to a name there would be renamed on every request. */
function cookieSetter(app: App, res: ServerResponse): Context["setSessionCookie"] {
  return (token) => void res.appendHeader("Set-Cookie", sessionCookie(app, token));
}

function retryAfterSetter(res: ServerResponse): Context["setRetryAfter"] {
  return (seconds) => void res.setHeader("Retry-After", String(Math.max(1, Math.ceil(seconds))));
}

/**
 * Who a secret belongs to. While the database cannot be reached that cannot be known: the call
 * fails with SERVICE_UNAVAILABLE (503), like every call that needs the database.
 */
async function authenticate(source: ContextSource, secret: string | undefined, retryAfter?: Context["setRetryAfter"]) {
  if (!secret) return null; // no credential, no caller: skip the call into the auth service
  const { app } = source;
  try {
    return await source.authenticate(secret);
  } catch (error) {
    if (!app.databaseAvailability.report(error)) throw error;
    retryAfter?.(RETRY_AFTER_S);
    throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: UNAVAILABLE_MESSAGE, cause: error });
  }
}

/** `authenticate`, through the socket credential cache when there is one. */
async function authenticateSocket(source: ContextSource, secret: string | undefined): Promise<Caller | null> {
  const cache = source.socketCredentials;
  if (!secret || !cache) return authenticate(source, secret);
  return cache.resolve(secret, () => authenticate(source, secret));
}

/** A signed-in caller whose request carries the running load test's secret is exempt from rate limits. */
async function withLoadTestExemption(source: ContextSource, req: IncomingMessage, caller: Caller | null): Promise<Caller | null> {
  const header = req.headers[LOAD_TEST_HEADER];
  if (!caller || typeof header !== "string" || !source.isLoadTestSecret) return caller;
  return (await source.isLoadTestSecret(header).catch(() => false)) ? { ...caller, rateLimitExempt: true } : caller;
}

export async function createHttpContext(source: ContextSource, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<Context> {
  const { app, sockets } = source;
  const token = bearer(req);
  const secret = token ?? readCookie(req.headers.cookie, SESSION_COOKIE);
  const credentialMark = sockets.mark();
  const setRetryAfter = retryAfterSetter(res);
  const setSessionCookie = cookieSetter(app, res);
  const caller = await withLoadTestExemption(source, req, await authenticate(source, secret, setRetryAfter));
  // The login slides forward with use: so does the cookie that carries it, or the browser would drop it after 24 hours.
  if (caller?.renewed && !token && secret) setSessionCookie(secret);
  return {
    app,
    sockets,
    caller,
    credentialMark,
    meta: { ip: clientIp(req, app.config.trustProxy), userAgent: req.headers["user-agent"], origin: originOf(app, req) },
    requestId,
    setSessionCookie,
    setRetryAfter,
    checkMutation: source.checkMutation,
  };
}

/**
 * Made once per socket: the caller is fixed until the socket closes. A `token` in the
 * connection params wins over the upgrade request's cookie. Sockets opened with a credential
 * are registered so that revoking it closes them.
 */
export async function createSocketContext(
  source: ContextSource,
  req: IncomingMessage,
  socket: WebSocket,
  connectionParams: Partial<Record<string, string>> | null,
): Promise<Context> {
  const { app, sockets } = source;
  const secret = connectionParams?.token || bearer(req) || readCookie(req.headers.cookie, SESSION_COOKIE);
  const mark = sockets.mark();
  const caller = await withLoadTestExemption(source, req, await authenticateSocket(source, secret));
  if (caller && source.admitSocket && !source.admitSocket(socket, caller)) {
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many connections for this account: close another tab or program." });
  }
  if (caller) {
    const { user, loginSessionId, apiTokenId } = caller;
    sockets.add(socket, { userId: user.id, loginSessionId, apiTokenId, role: user.role }, mark);
  }
  const socketId = randomUUID();
  let calls = 0;
  const meta = { ip: clientIp(req, app.config.trustProxy), userAgent: req.headers["user-agent"], origin: originOf(app, req) };
  // tRPC's connection handler keeps the upgrade request for the socket's whole life; nothing reads
  // its headers after this, and they are a good part of what an idle socket costs.
  req.headers = {};
  req.rawHeaders = [];
  return {
    app,
    sockets,
    caller,
    credentialMark: mark,
    meta,
    requestId: socketId,
    callRequestId: () => `${socketId}:${++calls}`,
    socket,
    setSessionCookie: nothing,
    setRetryAfter: nothing,
    checkMutation: source.checkMutation,
  };
}

/** A socket has no response to set a cookie or a header on. */
const nothing = () => undefined;
