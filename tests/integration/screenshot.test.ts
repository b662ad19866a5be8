/**
 * Page captures with the real Chromium (/usr/bin/chromium) against a local test server on
 * 127.0.0.1. Only "localhost" is allowed, so http://localhost:PORT/ can be captured while
 * http://127.0.0.1:PORT/… (the same server, by another name) is a private address the page must
 * never reach: the server counts every hit, and those counts are the proof.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { PDFParse } from "pdf-parse";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrowserPool } from "@/server/features/files/browser/browser";
import { capture } from "@/server/features/files/browser/capture";
import { parseAllowHosts } from "@/server/features/files/browser/guard";
import { startEgressProxy } from "@/server/features/files/browser/proxy";
import { AppError } from "@/server/errors";

const PIXEL = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
const downloadName = `pulse-download-${randomUUID()}.bin`;

const hits = new Map<string, number>();
let port = 0;
let slowHit: (() => void) | undefined;
let slowAnswered = false;
const timers = new Set<NodeJS.Timeout>();

function page(body: string, head = ""): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Test</title>${head}</head><body style="margin:0">${body}</body></html>`;
}

const server = http.createServer((req, res) => {
  const pathname = new URL(req.url ?? "/", "http://x").pathname;
  hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
  const html = (body: string) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
  const privateBase = `http://127.0.0.1:${port}`;
  switch (pathname) {
    case "/":
      return html(page(`<h1 style="background:#36c;color:#fff;margin:0;padding:20px">Pulse capture test</h1>`));
    case "/long":
      return html(page(`<h1>Long page</h1><div style="height:3000px;background:linear-gradient(#fff,#c33)"></div>`));
    case "/redirect":
      return res.writeHead(302, { location: `${privateBase}/secret` }).end();
    case "/secret":
      return res.writeHead(200, { "content-type": "text/plain" }).end("the secret");
    case "/embeds":
      return html(
        page(
          `<img src="${privateBase}/pixel.png"><iframe src="${privateBase}/framed"></iframe>` +
            `<script>fetch("${privateBase}/fetched").catch(() => {}); new WebSocket("ws://127.0.0.1:${port}/socket");</script><p>embeds</p>`,
        ),
      );
    case "/pixel.png":
      return res.writeHead(200, { "content-type": "image/png" }).end(PIXEL);
    case "/framed":
    case "/fetched":
      return html(page("private"));
    case "/download-page":
      return html(page(`<p>download</p><script>const a = document.createElement("a"); a.href = "/download/${downloadName}"; a.download = "${downloadName}"; document.body.append(a); a.click();</script>`));
    case `/download/${downloadName}`:
      return res.writeHead(200, { "content-type": "application/octet-stream", "content-disposition": `attachment; filename="${downloadName}"` }).end("downloaded bytes");
    case "/slow": {
      slowHit?.();
      const timer = setTimeout(() => {
        slowAnswered = true;
        html(page("finally"));
      }, 20_000);
      timers.add(timer);
      res.on("close", () => clearTimeout(timer));
      return;
    }
    default:
      return res.writeHead(404).end();
  }
});

// WebSockets go through the proxy as CONNECT tunnels: an upgrade reaching the server would be a leak.
server.on("upgrade", (req: http.IncomingMessage, socket: Duplex) => {
  const pathname = new URL(req.url ?? "/", "http://x").pathname;
  hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
  socket.destroy();
});

const privatePaths = ["/secret", "/pixel.png", "/framed", "/fetched", "/socket"];
const pool = new BrowserPool({ allowHosts: parseAllowHosts("localhost"), size: 1 });
const local = (pathname: string) => `http://localhost:${port}${pathname}`;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  await pool.warm();
});

afterAll(async () => {
  await pool.close();
  for (const timer of timers) clearTimeout(timer);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function slowRequestArrives(): Promise<void> {
  return new Promise((resolve) => {
    slowHit = () => {
      slowHit = undefined;
      resolve();
    };
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("screenshots and page PDFs", () => {
  it("captures the viewport at the requested size", async () => {
    const progress: number[] = [];
    const png = PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/"), width: 800, height: 600 }, { onProgress: (p) => progress.push(p) }));
    expect([png.width, png.height]).toEqual([800, 600]);
    // The heading's blue (#36c) is in the top-left corner: the page rendered, not a blank tab.
    expect([...png.data.subarray(0, 3)]).toEqual([0x33, 0x66, 0xcc]);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("captures the full page taller than the viewport", async () => {
    const png = PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/long"), fullPage: true, width: 1024, height: 768 }));
    expect(png.width).toBe(1024);
    expect(png.height).toBeGreaterThan(3000);
  });

  it("prints the page as a PDF", async () => {
    const pdf = await capture(pool, { kind: "pagepdf", url: local("/") });
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const parser = new PDFParse({ data: pdf });
    const text = await parser.getText();
    await parser.destroy();
    expect(text.total).toBeGreaterThanOrEqual(1);
    expect(text.text).toContain("Pulse capture test");
  });

  it("two captures starting together in a pool of two each get their own page (the warm spare goes to one)", async () => {
    const pair = new BrowserPool({ allowHosts: parseAllowHosts("localhost"), size: 2 });
    try {
      await pair.warm();
      const pages = await Promise.all([1, 2].map(() => pair.withPage(async (page) => page)));
      expect(pages[0]).not.toBe(pages[1]);
      const shots = await Promise.all([640, 800].map((width) => capture(pair, { kind: "screenshot", url: local("/"), width, height: 480 })));
      expect(shots.map((png) => PNG.sync.read(png).width)).toEqual([640, 800]);
    } finally {
      await pair.close();
    }
  });

  it("refuses a first address on a private network before opening anything", async () => {
    const error = await failure(capture(pool, { kind: "screenshot", url: `http://127.0.0.1:${port}/secret` }));
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: "That address is on a private network and cannot be captured." });
    expect(hits.get("/secret")).toBeUndefined();
  });
});

describe("no server-side request forgery", () => {
  it("blocks a redirect to a private address: the secret is never fetched", async () => {
    const blockedBefore = pool.stats().blocked;
    const error = await failure(capture(pool, { kind: "screenshot", url: local("/redirect") }));
    expect(hits.get("/redirect")).toBe(1);
    expect(hits.get("/secret")).toBeUndefined();
    expect(error).toMatchObject({ code: "BAD_REQUEST", message: "The page redirected to an address on a private network, which cannot be captured." });
    expect(pool.stats().blocked).toBeGreaterThan(blockedBefore);
  });

  it("blocks images, fetches and frames from private addresses while the page itself is captured", async () => {
    const png = PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/embeds") }));
    expect([png.width, png.height]).toEqual([1280, 800]);
    expect(hits.get("/embeds")).toBe(1);
    for (const pathname of privatePaths) expect(hits.get(pathname), pathname).toBeUndefined();
  });

  it("an http page whose server does not answer fails the capture (the proxy's 502 page is not shot)", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(capture(pool, { kind: "screenshot", url: `http://localhost:${closedPort}/` }));
    expect(error).toBeInstanceOf(AppError);
    expect(error.message).toMatch(/^The page could not be reached: the site refused the connection/);
  });

  it("a server without Chromium says so to the job's owner", async () => {
    const none = new BrowserPool({ allowHosts: parseAllowHosts("localhost"), size: 1, executablePath: "/nonexistent/chromium" });
    try {
      const error = await failure(capture(none, { kind: "screenshot", url: local("/") }));
      expect(error).toBeInstanceOf(AppError);
      expect(error.message).toBe("Screenshots and page PDFs are not available on this server: it has no browser installed.");
    } finally {
      await none.close();
    }
  });

  it("refuses downloads: nothing is written", async () => {
    const png = PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/download-page") }));
    expect(png.width).toBe(1280);
    // Navigating straight to an attachment: the server answers, the browser saves nothing.
    const error = await failure(capture(pool, { kind: "screenshot", url: local(`/download/${downloadName}`) }));
    expect(error.message).toMatch(/^The page could not be reached/);
    expect(hits.get(`/download/${downloadName}`)).toBeGreaterThanOrEqual(1);
    // Chromium's default download folder, and the usual places a stray file would land.
    const places = [path.join(os.homedir(), "Downloads"), os.homedir(), os.tmpdir(), process.cwd()].filter((place) => fs.existsSync(place));
    const found = spawnSync("find", [...places, "-maxdepth", "3", "-name", `${downloadName}*`], { encoding: "utf8" });
    expect(found.stdout.trim()).toBe("");
  });
});

describe("the egress proxy on its own", () => {
  function connectThrough(proxyUrl: string, authority: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const request = http.request(proxyUrl, { method: "CONNECT", path: authority });
      request.on("connect", (response: http.IncomingMessage, socket: Duplex) => {
        socket.destroy();
        resolve(`${response.statusCode} ${response.headers["x-pulse-blocked"] ?? ""}`.trim());
      });
      request.on("error", reject);
      request.end();
    });
  }

  it("tunnels to an allowed host, refuses a private one with 403, and counts it", async () => {
    const proxy = await startEgressProxy({ allow: parseAllowHosts("localhost") });
    try {
      expect(await connectThrough(proxy.url, `localhost:${port}`)).toBe("200");
      expect(await connectThrough(proxy.url, `127.0.0.1:${port}`)).toBe("403 1");
      expect(await connectThrough(proxy.url, "[::1]:80")).toBe("403 1");
      expect(await connectThrough(proxy.url, "169.254.169.254:80")).toBe("403 1");
      expect(proxy.blocked).toBe(3);
      const response = await new Promise<http.IncomingMessage>((resolve) => http.get(`${proxy.url}/`, { path: `http://127.0.0.1:${port}/secret` }, resolve));
      response.resume();
      expect(response.statusCode).toBe(403);
      expect(proxy.blocked).toBe(4);
      expect(hits.get("/secret")).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });
});

describe("time-outs, cancellation and crashes", () => {
  it("rejects a page that does not load in time with a clear message", async () => {
    const error = await failure(capture(pool, { kind: "screenshot", url: local("/slow") }, { timeoutMs: 1_500 }));
    expect(error.message).toBe("The page did not load within 1.5 s.");
    expect(pool.stats().launches).toBe(1);
  });

  it("aborts a capture of a slow page with an AbortError, and the pool serves the next one", async () => {
    slowAnswered = false;
    const controller = new AbortController();
    const arrived = slowRequestArrives();
    const capturing = capture(pool, { kind: "screenshot", url: local("/slow") }, { signal: controller.signal });
    await arrived;
    controller.abort();
    const error = await failure(capturing);
    expect(error.name).toBe("AbortError");
    expect(slowAnswered).toBe(false);
    const png = PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/") }));
    expect(png.width).toBe(1280);
  });

  it("an aborted capture waiting for a page leaves the queue", async () => {
    const holder = new AbortController();
    const arrived = slowRequestArrives();
    const holding = capture(pool, { kind: "screenshot", url: local("/slow") }, { signal: holder.signal });
    await arrived;
    const waiter = new AbortController();
    const waiting = capture(pool, { kind: "screenshot", url: local("/") }, { signal: waiter.signal });
    await expect.poll(() => pool.stats().waiting).toBe(1);
    waiter.abort();
    expect((await failure(waiting)).name).toBe("AbortError");
    expect(pool.stats().waiting).toBe(0);
    holder.abort();
    expect((await failure(holding)).name).toBe("AbortError");
    expect(PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/") })).width).toBe(1280);
  });

  it("a browser killed mid-capture fails that capture clearly; the next capture gets a new browser", async () => {
    const launches = pool.stats().launches;
    const arrived = slowRequestArrives();
    const capturing = capture(pool, { kind: "screenshot", url: local("/slow") });
    await arrived;
    pool.browserProcess()?.kill("SIGKILL");
    expect((await failure(capturing)).message).toBe("The browser stopped during the capture; try again.");
    const png = PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/"), width: 640, height: 480 }));
    expect([png.width, png.height]).toEqual([640, 480]);
    expect(pool.stats().launches).toBe(launches + 1);
  });

  it("a browser killed between captures is replaced", async () => {
    const launches = pool.stats().launches;
    pool.browserProcess()?.kill("SIGKILL");
    const png = PNG.sync.read(await capture(pool, { kind: "screenshot", url: local("/") }));
    expect(png.width).toBe(1280);
    expect(pool.stats().launches).toBe(launches + 1);
    for (const pathname of privatePaths) expect(hits.get(pathname), pathname).toBeUndefined();
  });
});
