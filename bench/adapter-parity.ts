/**
 * `npx tsx bench/adapter-parity.ts` — checks that Pulse's tRPC HTTP handler
 * (src/server/http/trpc-handler.ts, which answers plain JSON requests without tRPC's Fetch
 * round trip) answers exactly like tRPC's stock node adapter: the same requests go to the real
 * server and to a second server that routes /api/trpc through `nodeHTTPRequestHandler` with the
 * same router and context; status, content-type, vary, cookies and bodies must match (ids,
 * tokens and times masked). Exits 1 on any difference.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { loadConfig } from "../src/server/config.js";
import { TRPC_PREFIX } from "../src/server/http/server.js";
import { createLogger } from "../src/server/log.js";
import { startPulse } from "../src/server/start.js";
import { createHttpContext } from "../src/server/trpc/context.js";
import { appRouter } from "../src/server/trpc/router.js";
import { openBenchDatabase } from "./lib/database.js";

interface Probe {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  contentType: string | null;
  vary: string | null;
  setCookie: string[];
  body: unknown;
}

const MASKED_KEYS = new Set(["time", "token", "id", "createdAt", "email", "stack", "lastUsedAt", "expiresAt", "userId"]);

function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, MASKED_KEYS.has(k) && v !== null ? "…" : mask(v)]));
  }
  return value;
}

async function ask(base: string, probe: Probe): Promise<Answer> {
  const response = await fetch(base + probe.path, { method: probe.method, headers: probe.headers, body: probe.body });
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

const database = await openBenchDatabase();
const config = loadConfig(
  { NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", DATABASE_URL: database.url, LOG_LEVEL: "silent", SESSION_COOKIE_SECURE: "false" },
  { signInAttemptsPerIp: 10_000, signInAttemptsPerEmail: 10_000 },
);
const pulse = await startPulse(config, createLogger("silent"));
const { app, services } = pulse;

// The same router and context behind tRPC's stock adapter.
const stock = http.createServer((req, res) => {
  const url = req.url ?? "/";
  const pathname = url.split("?", 1)[0]!;
  if (!pathname.startsWith(TRPC_PREFIX)) {
    res.statusCode = 404;
    res.end();
    return;
  }
  void nodeHTTPRequestHandler({
    router: appRouter,
    req,
    res,
    path: pathname.slice(TRPC_PREFIX.length),
    maxBodySize: config.maxBodyBytes,
    createContext: ({ req, res }) => createHttpContext(app, services, req, res),
  });
});
await new Promise<void>((resolve) => stock.listen(0, "127.0.0.1", resolve));
const stockUrl = `http://127.0.0.1:${(stock.address() as AddressInfo).port}`;

let failures = 0;
try {
  // Accounts: the first sign-up becomes an admin, the second is a plain user.
  const signUp = async (email: string) => {
    const response = await fetch(`${pulse.url}/api/trpc/auth.signUp`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { email, password: "parity password", name: "Parity" } }),
    });
    const body = (await response.json()) as { result: { data: { json: { token: string } } } };
    return body.result.data.json.token;
  };
  await signUp(`parity-admin-${Date.now()}@example.com`);
  const userLogin = await signUp(`parity-user-${Date.now()}@example.com`);
  const bearer = { authorization: `Bearer ${userLogin}` };
  const json = { "content-type": "application/json" };
  const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
  let emails = 0;

  const probes: Array<Probe | (() => Probe)> = [
    { name: "query", method: "GET", path: "/api/trpc/health.ping" },
    { name: "query with input", method: "GET", path: `/api/trpc/health.ping?input=${input({ json: null })}` },
    { name: "anonymous me", method: "GET", path: "/api/trpc/auth.me" },
    { name: "me with bearer", method: "GET", path: "/api/trpc/auth.me", headers: bearer },
    { name: "me with cookie", method: "GET", path: "/api/trpc/auth.me", headers: { cookie: `pulse_session=${userLogin}` } },
    { name: "bad bearer on authed query", method: "GET", path: "/api/trpc/auth.sessions", headers: { authorization: "Bearer pat_nope" } },
    { name: "authed query", method: "GET", path: "/api/trpc/auth.sessions", headers: bearer },
    { name: "admin query as user", method: "GET", path: "/api/trpc/users.list", headers: bearer },
    { name: "unknown procedure", method: "GET", path: "/api/trpc/nope.nothing" },
    { name: "bad path encoding", method: "GET", path: "/api/trpc/%E0%A4%A" },
    { name: "query input not JSON", method: "GET", path: "/api/trpc/health.ping?input=%7Bnope" },
    { name: "batch", method: "GET", path: `/api/trpc/health.ping,auth.me?batch=1&input=${input({})}`, headers: bearer },
    { name: "batch, one unknown", method: "GET", path: `/api/trpc/health.ping,nope?batch=1&input=${input({})}` },
    { name: "batch input not an object", method: "GET", path: `/api/trpc/health.ping?batch=1&input=5` },
    { name: "mutation by GET", method: "GET", path: "/api/trpc/auth.signOut" },
    { name: "query by POST", method: "POST", path: "/api/trpc/health.ping", headers: json, body: "{}" },
    { name: "mutation, invalid JSON", method: "POST", path: "/api/trpc/auth.signIn", headers: json, body: '{"json":' },
    { name: "mutation, empty body", method: "POST", path: "/api/trpc/auth.signIn", headers: json, body: "" },
    { name: "mutation, wrong input", method: "POST", path: "/api/trpc/auth.signIn", headers: json, body: JSON.stringify({ json: { email: "x" } }) },
    { name: "mutation, body over the limit", method: "POST", path: "/api/trpc/auth.signIn", headers: json, body: " ".repeat(config.maxBodyBytes + 10) },
    { name: "mutation, charset in content-type", method: "POST", path: "/api/trpc/auth.signOut", headers: { "content-type": "application/json; charset=utf-8" }, body: "{}" },
    () => ({
      name: "mutation that sets a cookie",
      method: "POST",
      path: "/api/trpc/auth.signUp",
      headers: json,
      body: JSON.stringify({ json: { email: `parity-${Date.now()}-${emails++}@example.com`, password: "parity password", name: "P" } }),
    }),
    { name: "duplicate email", method: "POST", path: "/api/trpc/auth.signIn", headers: json, body: JSON.stringify({ json: { email: "nobody@example.com", password: "x" } }) },
    { name: "batched mutations", method: "POST", path: "/api/trpc/auth.signOut,auth.signOut?batch=1", headers: json, body: "{}" },
    { name: "text/plain body (stock path in both)", method: "POST", path: "/api/trpc/auth.signOut", headers: { "content-type": "text/plain" }, body: "{}" },
    { name: "jsonl batch (stock path in both)", method: "GET", path: `/api/trpc/health.ping?batch=1&input=${input({})}`, headers: { "trpc-accept": "application/jsonl" } },
    { name: "HEAD (stock path in both)", method: "HEAD", path: "/api/trpc/health.ping" },
  ];

  for (const entry of probes) {
    const [ours, theirs] = [typeof entry === "function" ? entry() : entry, typeof entry === "function" ? entry() : entry];
    const [a, b] = await Promise.all([ask(pulse.url, ours), ask(stockUrl, theirs)]);
    const same = JSON.stringify(a) === JSON.stringify(b);
    if (!same) failures++;
    console.log(`${same ? "same" : "DIFF"}  ${ours.name} (${a.status})`);
    if (!same) console.log(`  ours:  ${JSON.stringify(a)}\n  stock: ${JSON.stringify(b)}`);
  }
} finally {
  stock.closeAllConnections();
  stock.close();
  await pulse.stop();
  await database.close();
}
console.log(failures ? `\n${failures} difference(s)` : "\nThe fast path answers like tRPC's stock adapter.");
process.exit(failures ? 1 : 0);
