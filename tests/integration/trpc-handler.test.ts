/**
 * src/server/http/trpc-handler.ts answers plain JSON tRPC requests without tRPC's Fetch round
 * trip; this proves it answers exactly like tRPC's stock node adapter. The same requests go to
 * the real server and to a twin that routes /api/trpc through the stock `nodeHTTPRequestHandler`
 * with the same router, context, services and database; status, content-type, vary, cookies and
 * bodies must match (ids, tokens and times masked). Each request also checks which path the
 * real server took, so the comparison cannot pass by everything quietly falling back to stock.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TRPC_PREFIX } from "@/server/http/server";
import { createHttpContext } from "@/server/trpc/context";
import { requestIdFrom, tagError } from "@/server/trpc/request-id";
import { signUp, startTestServer, type TestServer } from "../helpers/server";

type NodeHttpAdapter = typeof import("@trpc/server/adapters/node-http");

// The real server's handler hands what it does not answer itself to this: count those calls.
vi.mock("@trpc/server/adapters/node-http", async (importOriginal) => {
  const actual = await importOriginal<NodeHttpAdapter>();
  return { ...actual, nodeHTTPRequestHandler: vi.fn(actual.nodeHTTPRequestHandler) };
});
const { nodeHTTPRequestHandler: fallback } = await import("@trpc/server/adapters/node-http");
// The twin uses the adapter itself, not the counted one.
const { nodeHTTPRequestHandler: stockAdapter } = await vi.importActual<NodeHttpAdapter>("@trpc/server/adapters/node-http");

interface Request {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Probe {
  name: string;
  /** The real server answers it itself ("fast") or hands it to tRPC's adapter ("stock"). */
  via: "fast" | "stock";
  /** Called once per server, when the test runs (after the accounts exist). */
  request(): Request;
}

interface Answer {
  status: number;
  contentType: string | null;
  vary: string | null;
  setCookie: string[];
  body: unknown;
}

/** Values that differ between two otherwise equal answers: fresh ids, tokens, times, stack traces. */
const MASKED_KEYS = new Set(["time", "token", "id", "createdAt", "email", "stack", "lastUsedAt", "expiresAt", "userId", "requestId"]);

function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, MASKED_KEYS.has(k) && v !== null ? "…" : mask(v)]));
  }
  return value;
}

async function ask(base: string, request: Request): Promise<Answer> {
  const response = await fetch(base + request.path, { method: request.method, headers: request.headers, body: request.body });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text.replace(/\b\d{13}\b/g, "…"); // not JSON (e.g. JSON lines): mask epoch milliseconds
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    vary: response.headers.get("vary"),
    setCookie: response.headers.getSetCookie().map((c) => c.replace(/=[^;]*/, "=…")),
    body: mask(body),
  };
}

let server: TestServer;
let stock: http.Server;
let stockUrl: string;
let userLogin: string;

beforeAll(async () => {
  server = await startTestServer();
  const { app, router, sockets, services } = server.pulse;
  // The same router and context behind tRPC's stock adapter.
  stock = http.createServer((req, res) => {
    const pathname = (req.url ?? "/").split("?", 1)[0]!;
    if (!pathname.startsWith(TRPC_PREFIX)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    // Request ids as the real server gives them: on the context, and on errors before there is one.
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    void stockAdapter({
      router,
      req,
      res,
      path: pathname.slice(TRPC_PREFIX.length),
      maxBodySize: app.config.maxBodyBytes,
      createContext: ({ req, res }) => createHttpContext({ app, sockets, authenticate: services.auth.authenticate }, req, res, requestId),
      onError: ({ error }) => tagError(error, requestId),
    });
  });
  await new Promise<void>((resolve) => stock.listen(0, "127.0.0.1", resolve));
  stockUrl = `http://127.0.0.1:${(stock.address() as AddressInfo).port}`;
  // Accounts: the first sign-up becomes an admin, the second is a plain user.
  await signUp(server, "Admin");
  userLogin = (await signUp(server, "User")).token;
});

afterAll(async () => {
  stock?.closeAllConnections();
  stock?.close();
  await server?.stop();
});

const json = { "content-type": "application/json" };
const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const bearer = () => ({ authorization: `Bearer ${userLogin}` });
const signUpBody = (email: string) => JSON.stringify({ json: { email, password: "parity password", name: "Parity" } });
let emails = 0;
const DUPLICATE = "parity-duplicate@example.com";

const fast = (name: string, request: () => Request): Probe => ({ name, via: "fast", request });
const viaStock = (name: string, request: () => Request): Probe => ({ name, via: "stock", request });
const get = (path: string, headers?: Record<string, string>) => (): Request => ({ method: "GET", path, headers });
const post = (path: string, body: string, headers: Record<string, string> = json) => (): Request => ({ method: "POST", path, headers, body });

const probes: Probe[] = [
  fast("query", get("/api/trpc/health.ping")),
  fast("query with input", get(`/api/trpc/health.ping?input=${input({ json: null })}`)),
  fast("anonymous me", get("/api/trpc/auth.me")),
  fast("me with bearer", () => get("/api/trpc/auth.me", bearer())()),
  fast("me with cookie", () => get("/api/trpc/auth.me", { cookie: `pulse_session=${userLogin}` })()),
  fast("bad bearer on an authed query", get("/api/trpc/auth.sessions", { authorization: "Bearer pat_nope" })),
  fast("authed query", () => get("/api/trpc/auth.sessions", bearer())()),
  fast("admin query as a user", () => get("/api/trpc/users.list", bearer())()),
  fast("unknown procedure", get("/api/trpc/nope.nothing")),
  fast("bad path encoding", get("/api/trpc/%E0%A4%A")),
  fast("query input not JSON", get("/api/trpc/health.ping?input=%7Bnope")),
  fast("batch", () => get(`/api/trpc/health.ping,auth.me?batch=1&input=${input({})}`, bearer())()),
  fast("batch, one unknown", get(`/api/trpc/health.ping,nope?batch=1&input=${input({})}`)),
  fast("batch input not an object", get("/api/trpc/health.ping?batch=1&input=5")),
  fast("mutation by GET", get("/api/trpc/auth.signOut")),
  fast("query by POST", post("/api/trpc/health.ping", "{}")),
  fast("mutation, invalid JSON", post("/api/trpc/auth.signIn", '{"json":')),
  fast("mutation, empty body", post("/api/trpc/auth.signIn", "")),
  fast("mutation, wrong input", post("/api/trpc/auth.signIn", JSON.stringify({ json: { email: "x" } }))),
  fast("mutation, body over the limit", () => post("/api/trpc/auth.signIn", " ".repeat(server.pulse.app.config.maxBodyBytes + 10))()),
  fast("mutation, charset in content-type", post("/api/trpc/auth.signOut", "{}", { "content-type": "application/json; charset=utf-8" })),
  fast("mutation that sets a cookie", () => post("/api/trpc/auth.signUp", signUpBody(`parity-${Date.now()}-${emails++}@example.com`))()),
  fast("mutation failing in a service (duplicate email: CONFLICT)", post("/api/trpc/auth.signUp", signUpBody(DUPLICATE))),
  fast("sign-in with an unknown email", post("/api/trpc/auth.signIn", JSON.stringify({ json: { email: "nobody@example.com", password: "x" } }))),
  fast("batched mutations", post("/api/trpc/auth.signOut,auth.signOut?batch=1", "{}")),
  viaStock("text/plain body", post("/api/trpc/auth.signOut", "{}", { "content-type": "text/plain" })),
  viaStock("JSON lines batch", get(`/api/trpc/health.ping?batch=1&input=${input({})}`, { "trpc-accept": "application/jsonl" })),
  viaStock("HEAD", () => ({ method: "HEAD", path: "/api/trpc/health.ping" })),
];

describe("the tRPC HTTP handler answers like tRPC's stock node adapter", () => {
  beforeAll(async () => {
    // The duplicate-email probe needs its address taken beforehand.
    const response = await fetch(`${server.url}/api/trpc/auth.signUp`, { method: "POST", headers: json, body: signUpBody(DUPLICATE) });
    expect(response.status).toBe(200);
  });

  it.each(probes)("$name", async (probe) => {
    vi.mocked(fallback).mockClear();
    const [ours, theirs] = await Promise.all([ask(server.url, probe.request()), ask(stockUrl, probe.request())]);
    expect(ours).toEqual(theirs);
    const handedOver = vi.mocked(fallback).mock.calls.length;
    expect(handedOver, "requests the real server handed to the stock adapter").toBe(probe.via === "stock" ? 1 : 0);
  });
});
