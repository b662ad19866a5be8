/**
 * Cross-site request forgery and cross-site WebSocket hijacking: a page on another site cannot
 * make a signed-in browser change anything (a JSON mutation, a form post, a batch), sign someone
 * in, or open a socket; Pulse's own pages, bearer-token programs and programs holding a cookie
 * (no Origin, no Sec-Fetch-Site) are unaffected. Every refusal is a 403 FORBIDDEN shaped like any
 * tRPC error, carrying the request id, and changes nothing.
 */
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SESSION_COOKIE } from "@/server/features/auth/service";
import { metrics } from "@/server/metrics/index";
import type { AppRouter } from "@/trpc/client";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { mutate, query, RawSocket, rowCounts, sql } from "./support/raw";

const EVIL = "https://evil.example";
let server: TestServer;
let user: Awaited<ReturnType<typeof signUp>>;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  user = await signUp(server, "Victim");
  cookie = `${SESSION_COOKIE}=${user.token}`;
});
afterAll(() => server?.stop());

const sessionCount = async () => Number((await sql<{ n: string }>(server.database.url, `SELECT count(*) AS n FROM "LiveSession"`))[0]!.n);
const createInput = { kind: "meditation", title: "Forged" };

/** Everything a forged request could have changed: accounts, logins, tokens, audit rows, live sessions. */
async function snapshot() {
  return { ...(await rowCounts(server.database.url)), liveSessions: await sessionCount() };
}

function expectRefused(response: Awaited<ReturnType<typeof mutate>>) {
  expect(response.status).toBe(403);
  expect(response.error?.data.code).toBe("FORBIDDEN");
  expect(response.error?.message).toMatch(/another site/);
  const requestId = response.headers.get("x-request-id");
  expect(requestId).toBeTruthy();
  expect((response.error?.data as { requestId?: string }).requestId).toBe(requestId);
}

describe("a cookie-carried mutation from another site", () => {
  it("is refused when its Origin is another site's, and changes nothing", async () => {
    const before = await snapshot();
    expectRefused(await mutate(server.url, "sessions.create", createInput, { cookie, headers: { Origin: EVIL } }));
    expectRefused(await mutate(server.url, "auth.createApiToken", { name: "stolen" }, { cookie, headers: { Origin: EVIL } }));
    // `null`: a sandboxed frame or a data: URL.
    expectRefused(await mutate(server.url, "auth.createApiToken", { name: "stolen" }, { cookie, headers: { Origin: "null" } }));
    // The same host on another port, or another scheme's host that is not ours, is another origin.
    expectRefused(await mutate(server.url, "auth.signOut", undefined, { cookie, headers: { Origin: "http://127.0.0.2" } }));
    expect(await snapshot()).toEqual(before);
    // The login still works: signOut was not run.
    expect((await query<{ id: string } | null>(server.url, "auth.me", undefined, { cookie })).data?.id).toBe(user.user.id);
  });

  it("is refused when Sec-Fetch-Site says cross-site or same-site (another subdomain is not Pulse)", async () => {
    const before = await snapshot();
    for (const site of ["cross-site", "same-site"]) {
      expectRefused(await mutate(server.url, "sessions.create", createInput, { cookie, headers: { "Sec-Fetch-Site": site } }));
    }
    // Sec-Fetch-Site decides even when Origin looks like ours (the browser compared them itself).
    expectRefused(await mutate(server.url, "sessions.create", createInput, { cookie, headers: { "Sec-Fetch-Site": "cross-site", Origin: server.url } }));
    expect(await snapshot()).toEqual(before);
  });

  it("a form post (urlencoded, multipart, text/plain) from another site is refused and changes nothing", async () => {
    const before = await snapshot();
    const forms: [string, string][] = [
      ["application/x-www-form-urlencoded", "json=%7B%7D"],
      ["multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nstolen\r\n--x--\r\n'],
      ["text/plain", JSON.stringify({ json: { name: "stolen" } })],
    ];
    for (const [type, body] of forms) {
      for (const headers of [{ "Sec-Fetch-Site": "cross-site" }, { Origin: EVIL }] as Record<string, string>[]) {
        const response = await fetch(`${server.url}/api/trpc/auth.createApiToken`, {
          method: "POST",
          headers: { ...headers, "Content-Type": type, Cookie: cookie },
          body,
        });
        expect(response.status, `${type} ${JSON.stringify(headers)}`).toBe(403);
        expect(await response.text()).toContain("FORBIDDEN");
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a batch is refused call by call, in the shape the typed client reads", async () => {
    const before = await snapshot();
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${server.url}/api/trpc`, transformer: superjson, headers: { Cookie: cookie, Origin: EVIL } })],
    });
    const results = await Promise.allSettled([client.sessions.create.mutate(createInput as never), client.auth.createApiToken.mutate({ name: "stolen" })]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as TRPCClientError<AppRouter>;
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(error.data?.code).toBe("FORBIDDEN");
      expect(error.data?.httpStatus).toBe(403);
      expect(error.message).toMatch(/another site/);
      expect(error.data?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("sign-in from another site is refused too (no login CSRF), with or without a cookie", async () => {
    const before = await snapshot();
    const response = await mutate(server.url, "auth.signIn", { email: user.email, password: user.password }, { headers: { Origin: EVIL } });
    expectRefused(response);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  it("any other state-changing method on any path is refused, with the request id in its JSON", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await fetch(`${server.url}/api/files/00000000-0000-0000-0000-000000000000/download`, {
        method,
        headers: { Cookie: cookie, "Sec-Fetch-Site": "cross-site" },
      });
      expect(response.status, method).toBe(403);
      const body = (await response.json()) as { error: string; requestId: string };
      expect(body.error).toMatch(/another site/);
      expect(body.requestId).toBe(response.headers.get("x-request-id"));
    }
  });
});

describe("what is not refused", () => {
  it("Pulse's own pages: Origin is ours, or Sec-Fetch-Site is same-origin", async () => {
    const own = await mutate<{ id: string }>(server.url, "sessions.create", { ...createInput, title: "Own origin" }, { cookie, headers: { Origin: server.url } });
    expect(own.status).toBe(200);
    // The host in another spelling: upper case, the default port written out.
    const host = new URL(server.url).host.toUpperCase();
    expect((await mutate(server.url, "sessions.create", createInput, { cookie, headers: { Origin: `http://${host}` } })).status).toBe(200);
    const sameOrigin = await mutate(server.url, "sessions.create", createInput, { cookie, headers: { "Sec-Fetch-Site": "same-origin", Origin: server.url } });
    expect(sameOrigin.status).toBe(200);
    // A person's own navigation (typed URL, bookmark) is `none`.
    expect((await mutate(server.url, "sessions.create", createInput, { cookie, headers: { "Sec-Fetch-Site": "none" } })).status).toBe(200);
  });

  it("a program holding the cookie, with neither header (not a browser: no page can make this request)", async () => {
    expect((await mutate(server.url, "sessions.create", createInput, { cookie })).status).toBe(200);
  });

  it("bearer-token clients, whatever Origin they send", async () => {
    const before = await sessionCount();
    const response = await mutate(server.url, "sessions.create", createInput, { token: user.token, headers: { Origin: EVIL, "Sec-Fetch-Site": "cross-site" } });
    expect(response.status).toBe(200);
    expect(await sessionCount()).toBe(before + 1);
  });

  it("reads: a cross-site GET changes nothing and is answered", async () => {
    const me = await query<{ id: string }>(server.url, "auth.me", undefined, { cookie, headers: { Origin: EVIL, "Sec-Fetch-Site": "cross-site" } });
    expect(me.status).toBe(200);
  });
});

describe("with PUBLIC_URL (behind a proxy)", () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startTestServer({ publicUrl: "https://pulse.example.com" }, server.database);
  });
  afterAll(() => proxied?.stop());

  it("its origin is Pulse's own, the request's own host too, and nothing else", async () => {
    const ok = (origin: string) => mutate(proxied.url, "sessions.create", createInput, { cookie, headers: { Origin: origin } }).then((r) => r.status);
    expect(await ok("https://pulse.example.com")).toBe(200);
    expect(await ok("https://PULSE.example.com:443")).toBe(200);
    expect(await ok(proxied.url)).toBe(200);
    expect(await ok("http://pulse.example.com.evil.example")).toBe(403);
    expect(await ok("https://sub.pulse.example.com")).toBe(403);
  });
});

/** Opens a WebSocket with these upgrade headers: its status when refused, or "open". */
function upgrade(headers: Record<string, string>): Promise<number | "open"> {
  const url = new URL("/api/ws", server.url);
  url.protocol = "ws:";
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.close();
      resolve("open");
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk));
      res.on("end", () => {
        expect(JSON.parse(body)).toMatchObject({ error: expect.stringMatching(/another site/), requestId: res.headers["x-request-id"] });
        resolve(res.statusCode!);
      });
    });
    ws.once("error", (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** WebSockets this process ever accepted (every handshake that completed counts). */
async function socketsOpened(): Promise<number> {
  return (await metrics.wsConnectionsOpened.get()).values.reduce((sum, sample) => sum + sample.value, 0);
}

describe("WebSocket upgrades", () => {
  it("from another site are refused with 403 before the handshake (no cross-site WebSocket hijacking)", async () => {
    const opened = await socketsOpened();
    expect(await upgrade({ Cookie: cookie, Origin: EVIL })).toBe(403);
    expect(await upgrade({ Cookie: cookie, Origin: "null" })).toBe(403);
    expect(await upgrade({ Cookie: cookie, "Sec-Fetch-Site": "cross-site" })).toBe(403);
    expect(await upgrade({ Cookie: cookie, "Sec-Fetch-Site": "same-site", Origin: server.url })).toBe(403);
    // Without a cookie too: a token in connectionParams would come from the hostile page itself, which has none of ours.
    expect(await upgrade({ Origin: EVIL })).toBe(403);
    expect(await socketsOpened()).toBe(opened);
  });

  it("from Pulse's own pages, and from programs (no Origin), open and work", async () => {
    expect(await upgrade({ Cookie: cookie, Origin: server.url })).toBe("open");
    expect(await upgrade({ Cookie: cookie, "Sec-Fetch-Site": "same-origin", Origin: server.url })).toBe("open");
    const program = await RawSocket.open(server.url, { token: user.token });
    expect(await program.call<{ id: string } | null>("query", "auth.me")).toMatchObject({ id: user.user.id });
    program.close();
    // A browser on our own page signs the socket in with the cookie.
    const browser = await RawSocket.open(server.url, { headers: { Cookie: cookie, Origin: server.url } });
    expect(await browser.call<{ id: string } | null>("query", "auth.me")).toMatchObject({ id: user.user.id });
    browser.close();
  });
});
