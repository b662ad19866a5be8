/**
 * The headers on every response (API, health, downloads, pages), the pages' nonce-based
 * Content-Security-Policy handed to Next, and error hygiene: every error response carries the
 * request id, and in production no stack or internal message reaches a client.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { features } from "@/server/features/index";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import { failingFeature, INTERNAL_DETAIL } from "../helpers/failing-feature";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { mutate, query, RawSocket, RawSocketError, within } from "./support/raw";

const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Next's place, for these tests: answers with what it was handed (the request's policy and nonce). */
const standInNext = {
  async handle(req: IncomingMessage, res: ServerResponse) {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ policy: req.headers["content-security-policy"] ?? null, nonce: req.headers["x-nonce"] ?? null }));
  },
};

let server: TestServer;
let token: string;
beforeAll(async () => {
  server = await startTestServer({}, undefined, { features: [...features, failingFeature], next: standInNext });
  token = (await signUp(server)).token;
});
afterAll(() => server?.stop());

function expectCommonHeaders(response: Response, what: string) {
  expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(response.headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
  expect(response.headers.get("x-frame-options"), what).toBe("DENY");
  expect(response.headers.get("content-security-policy"), what).toContain("frame-ancestors 'none'");
  expect(response.headers.get("x-request-id"), what).toBeTruthy();
  // Not in development or tests: only production sends HSTS.
  expect(response.headers.get("strict-transport-security"), what).toBeNull();
}

describe("every response", () => {
  it("the API, health, metrics, errors and downloads carry the headers, and a policy that renders nothing", async () => {
    const responses: [string, Response][] = [
      ["health", await fetch(`${server.url}/health`)],
      ["health/live", await fetch(`${server.url}/health/live`)],
      ["metrics", await fetch(`${server.url}/metrics`)],
      ["a query", await fetch(`${server.url}/api/trpc/health.ping`)],
      ["a failing query", await fetch(`${server.url}/api/trpc/no.such.procedure`)],
      ["a mutation", await fetch(`${server.url}/api/trpc/auth.signOut`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })],
      ["a route that throws", await fetch(`${server.url}/api/failing`)],
    ];
    for (const [what, response] of responses) {
      expectCommonHeaders(response, what);
      expect(response.headers.get("content-security-policy"), what).toBe(API_POLICY);
    }
    const download = await fetch(`${server.url}/api/files/00000000-0000-0000-0000-000000000000/download`, { headers: { Authorization: `Bearer ${token}` } });
    expect(download.status).toBe(404);
    expectCommonHeaders(download, "a download");
    // Chrome's PDF viewer is built in the PDF's own document: a default-src there would blank it.
    expect(download.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(download.headers.get("cache-control")).toBe("no-store");
  });

  it("every tRPC response, which depends on who asks, is never stored by a cache", async () => {
    const signedIn = await query(server.url, "auth.me", undefined, { token });
    const failed = await query(server.url, "files.byId", { fileId: "00000000-0000-0000-0000-000000000000" }, { token });
    const mutation = await mutate(server.url, "auth.createApiToken", { name: "cache" }, { token });
    const batch = await fetch(`${server.url}/api/trpc/auth.me,health.ping?batch=1&input=${encodeURIComponent("{}")}`, { headers: { Authorization: `Bearer ${token}` } });
    expect([signedIn.status, failed.status, mutation.status, batch.status]).toEqual([200, 404, 200, 200]);
    for (const response of [signedIn, failed, mutation]) expect(response.headers.get("cache-control")).toBe("no-store");
    expect(batch.headers.get("cache-control")).toBe("no-store");
    // A subscription over server-sent events (tRPC's own adapter writes those headers).
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/trpc/health.live`, { headers: { Accept: "text/event-stream" }, signal: controller.signal });
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.headers.get("cache-control")).toBe("no-store, no-transform");
    controller.abort();
  });

  it("HSTS in production only", async () => {
    const production = await startTestServer({ production: true }, server.database);
    try {
      const response = await fetch(`${production.url}/health/live`);
      expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    } finally {
      await production.stop();
    }
  });
});

describe("pages (handed to Next)", () => {
  async function page(pathname: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}${pathname}`, { headers });
    return { response, handed: (await response.json()) as { policy: string | null; nonce: string | null } };
  }

  it("get a strict policy with a fresh nonce, which Next is handed on the request", async () => {
    const first = await page("/sessions");
    const second = await page("/sessions");
    expectCommonHeaders(first.response, "a page");
    const policy = first.response.headers.get("content-security-policy")!;
    const nonce = first.handed.nonce!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.handed.nonce).not.toBe(nonce);
    // Next reads the nonce from the request's policy: the same policy the browser gets.
    expect(first.handed.policy).toBe(policy);
    const directives = Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
    expect(directives["script-src"]).toContain(`'nonce-${nonce}'`);
    expect(directives["script-src"]).toContain("'strict-dynamic'");
    expect(directives["script-src"]).not.toContain("unsafe-inline");
    expect(directives["object-src"]).toBe("'none'");
    expect(directives["base-uri"]).toBe("'self'");
    expect(directives["frame-ancestors"]).toBe("'none'");
    const host = new URL(server.url).host;
    expect(directives["connect-src"]).toBe(`'self' ws://${host} wss://${host}`);
  });

  it("a nonce or policy the client sends is replaced: the nonce is the server's alone", async () => {
    const { response, handed } = await page("/", { "X-Nonce": "attacker", "Content-Security-Policy": "script-src 'nonce-attacker'" });
    expect(handed.nonce).not.toBe("attacker");
    expect(handed.policy).not.toContain("attacker");
    expect(response.headers.get("content-security-policy")).toContain(`'nonce-${handed.nonce}'`);
  });

  it("an unknown /api/ path, rendered by Next as its 404 page, gets a page's policy too", async () => {
    const { handed } = await page("/api/nothing-here");
    expect(handed.nonce).toBeTruthy();
  });

  it("static assets are not pages: no nonce is made for them", async () => {
    const { response, handed } = await page("/_next/static/chunks/app.js");
    expect(handed.nonce).toBeNull();
    expect(response.headers.get("content-security-policy")).toBe(API_POLICY);
  });
});

describe("error responses", () => {
  it("carry the request id: tRPC errors in data.requestId, others in their JSON, all in X-Request-Id", async () => {
    const failed = await query(server.url, "no.such.procedure");
    expect(failed.status).toBe(404);
    expect((failed.error!.data as { requestId?: string }).requestId).toBe(failed.headers.get("x-request-id"));

    const thrown = await fetch(`${server.url}/api/failing`);
    expect(thrown.status).toBe(500);
    const body = (await thrown.json()) as { error: string; requestId: string };
    expect(body.requestId).toBe(thrown.headers.get("x-request-id"));
    // A route outside tRPC never passes on what it threw, in any mode.
    expect(JSON.stringify(body)).not.toContain("secret_table");
  });

  it("in development and tests a procedure's internal error shows its message and stack (what production hides)", async () => {
    const response = await mutate(server.url, "failing.mutation");
    expect(response.status).toBe(500);
    expect(response.error!.message).toBe(INTERNAL_DETAIL);
    expect(response.text).toContain('"stack"');
  });
});

describe("in production (NODE_ENV=production, a process of its own)", () => {
  let database: TestDatabase;
  let child: ChildProcess;
  let url: string;
  let output = "";

  beforeAll(async () => {
    database = await createTestDatabase();
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", DATABASE_URL: database.url, LOG_LEVEL: "silent", JOB_CONCURRENCY: "0" };
    child = spawn(process.execPath, ["--import", "tsx", "tests/helpers/production-entry.ts"], { cwd: path.resolve(import.meta.dirname, "../.."), env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    url = await within(
      new Promise<string>((resolve, reject) => {
        child.stdout!.on("data", () => {
          const match = /READY (\S+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
      }),
      "the production process to listen",
      60_000,
    );
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await within(exited, "the production process to exit", 30_000);
    }
    await database?.drop();
  });

  /** Nothing of what was thrown, and no stack, in what the client got. */
  function expectClean(text: string) {
    expect(text).not.toContain("secret_table");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("/srv/pulse");
    expect(text).not.toContain('"stack"');
    expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  }

  it("a procedure's internal error over HTTP: a plain message, no stack, the request id", async () => {
    const response = await mutate(url, "failing.mutation");
    expect(response.status).toBe(500);
    expectClean(response.text);
    expect(response.error!.message).toBe("Something went wrong on our side. Please try again.");
    expect((response.error!.data as { requestId?: string }).requestId).toBe(response.headers.get("x-request-id"));
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("the same over WebSocket, with the call's own request id", async () => {
    const socket = await RawSocket.open(url);
    try {
      const error = await socket.call("query", "failing.query").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RawSocketError);
      const shape = (error as RawSocketError).shape;
      expectClean(JSON.stringify(shape));
      expect(shape.data.code).toBe("INTERNAL_SERVER_ERROR");
      expect((shape.data as { requestId?: string }).requestId).toMatch(/^[0-9a-f-]{36}:\d+$/);
    } finally {
      socket.close();
    }
  });

  it("a person's mistakes still say what is wrong, without a stack", async () => {
    const invalid = await mutate(url, "auth.signIn", { email: "not an email", password: "" });
    expect(invalid.status).toBe(400);
    expect(invalid.error!.message).toMatch(/email/);
    expectClean(invalid.text);
    const missing = await query(url, "no.such.procedure");
    expect(missing.status).toBe(404);
    expectClean(missing.text);
    expect((missing.error!.data as { requestId?: string }).requestId).toBe(missing.headers.get("x-request-id"));
  });

  it("a route outside tRPC that throws: a plain 500 with the request id", async () => {
    const response = await fetch(`${url}/api/failing`);
    const text = await response.text();
    expect(response.status).toBe(500);
    expectClean(text);
    expect(JSON.parse(text)).toEqual({ error: "Something went wrong on our side.", requestId: response.headers.get("x-request-id") });
  });
});
