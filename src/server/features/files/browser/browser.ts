/**
 * One warm Chromium per process, shared by a small pool of pages. Chromium starts on first use
 * (or `warm()`), behind the egress proxy, and is started again when it dies: a capture in flight
 * then fails with a clear error and the next one gets the new browser. Each capture gets its own
 * incognito context (no cookies or storage shared between people's captures), downloads denied,
 * closed afterwards.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Browser, BrowserContext, Page } from "puppeteer-core";
import { AppError } from "@/server/errors";
import type { Logger } from "@/server/log";
import { startEgressProxy, type EgressProxy } from "./proxy.js";
import { refuseOtherSchemes } from "./schemes.js";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** A context that does not close in this long means a wedged browser: it is killed and started again. */
const CONTEXT_CLOSE_TIMEOUT_MS = 5_000;

export interface BrowserPoolOptions {
  /** Host names or IPs that may be private (`SCREENSHOT_ALLOW_HOSTS`, see guard.ts `parseAllowHosts`). */
  allowHosts: Set<string>;
  /** Pages in use at once; more captures wait their turn in order. */
  size?: number;
  executablePath?: string;
  log?: Logger;
}

export interface BrowserPoolStats {
  inUse: number;
  waiting: number;
  /** Browsers started so far (more than one after a crash). */
  launches: number;
  /** Requests the egress proxy refused so far. */
  blocked: number;
}

/** Cancellation: rejected with this, `name` "AbortError" like fetch's. */
export function abortError(message = "The capture was cancelled."): Error {
  const error = new Error(message);
  error.name = "AbortError";
  return error;
}

export class BrowserStoppedError extends Error {
  constructor() {
    super("The browser stopped during the capture; try again.");
    this.name = "BrowserStoppedError";
  }
}

interface Prepared {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

interface Waiter {
  grant(): void;
}

export class BrowserPool {
  readonly allowHosts: Set<string>;
  readonly size: number;
  private readonly executablePath: string;
  private readonly log: Logger | undefined;
  private browser: Browser | undefined;
  private launching: Promise<Browser> | undefined;
  private proxy: Promise<EgressProxy> | undefined;
  private runningProxy: EgressProxy | undefined;
  private spare: Promise<Prepared | undefined> | undefined;
  private readonly closing = new WeakMap<BrowserContext, Promise<void>>();
  private launches = 0;
  private inUse = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(options: BrowserPoolOptions) {
    this.allowHosts = options.allowHosts;
    this.size = Math.max(1, options.size ?? 2);
    this.executablePath = options.executablePath ?? DEFAULT_CHROMIUM;
    this.log = options.log;
  }

  /** Starts the proxy and the browser now, so that the first capture does not pay for it. */
  async warm(): Promise<void> {
    await this.currentBrowser();
    this.prepareSpare();
    await this.spare;
  }

  stats(): BrowserPoolStats {
    return { inUse: this.inUse, waiting: this.waiters.length, launches: this.launches, blocked: this.runningProxy?.blocked ?? 0 };
  }

  /** The running Chromium's process, if any (tests kill it to prove the restart). */
  browserProcess(): ChildProcess | null {
    return this.browser?.process() ?? null;
  }

  /**
   * Runs `use` with a fresh page in a fresh incognito context, once a pool slot is free.
   * Aborting `signal` takes the capture out of the queue, or closes its context at once, and
   * rejects with an AbortError without waiting for `use`.
   */
  async withPage<T>(use: (page: Page) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortError();
    await this.acquire(signal);
    let context: BrowserContext | undefined;
    let browser: Browser | undefined;
    let onAbort: (() => void) | undefined;
    try {
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          reject(abortError());
          void this.closeContext(context, browser);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      });
      const ready = (async () => {
        const prepared = await this.takePrepared();
        ({ browser, context } = prepared);
        if (signal?.aborted) {
          // Aborted while the page was being made: the finally below may already have run.
          void this.closeContext(context, browser);
          throw abortError();
        }
        return prepared.page;
      })();
      const page = await Promise.race([ready, aborted]);
      return await Promise.race([use(page), aborted]);
    } catch (error) {
      if (signal?.aborted) throw abortError();
      if (browser && !browser.connected) throw new BrowserStoppedError();
      throw error;
    } finally {
      if (onAbort) signal?.removeEventListener("abort", onAbort);
      // The slot is free once the context is gone, so at most `size` contexts (and one spare) ever exist.
      void this.closeContext(context, browser).finally(() => {
        this.prepareSpare();
        this.release();
      });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiters.splice(0);
    const browser = this.browser ?? (await this.launching?.catch(() => undefined));
    this.browser = undefined;
    if (browser) {
      const process = browser.process();
      await withTimeout(browser.close(), CONTEXT_CLOSE_TIMEOUT_MS).catch(() => undefined);
      process?.kill("SIGKILL");
    }
    const proxy = await this.proxy?.catch(() => undefined);
    await proxy?.close();
  }

  /**
   * The spare (a context and page made while the pool was idle, so a capture pays only for its
   * navigation) if it is still alive, else a new one. A spare is never used twice.
   */
  private async takePrepared(): Promise<Prepared> {
    // Taken before the await: two captures starting together must not both get the same page.
    const taking = this.spare;
    this.spare = undefined;
    const spare = await taking;
    if (spare) {
      const alive = spare.browser.connected && !spare.context.closed && (await withTimeout(spare.page.evaluate("1"), 2_000).then(() => true, () => false));
      if (alive) return spare;
      void this.closeContext(spare.context, spare.browser);
    }
    return this.prepare();
  }

  private prepareSpare(): void {
    if (this.closed || this.spare) return;
    this.spare = this.prepare().catch(() => undefined);
  }

  private async prepare(): Promise<Prepared> {
    const { browser, context } = await this.newContext();
    try {
      const page = await context.newPage();
      await refuseOtherSchemes(page);
      return { browser, context, page };
    } catch (error) {
      void this.closeContext(context, browser);
      throw error;
    }
  }

  private async newContext(): Promise<{ browser: Browser; context: BrowserContext }> {
    // A browser that died since the last capture may not have been noticed yet: one retry on a new one.
    for (let attempt = 0; ; attempt++) {
      const browser = await this.currentBrowser();
      try {
        const context = await browser.createBrowserContext({ downloadBehavior: { policy: "deny" } });
        return { browser, context };
      } catch (error) {
        if (browser.connected || attempt > 0) throw error;
        this.forget(browser);
      }
    }
  }

  /** Idempotent: an abort and the capture's own clean-up may both close the same context. */
  private closeContext(context: BrowserContext | undefined, browser: Browser | undefined): Promise<void> {
    if (!context || !browser) return Promise.resolve();
    let closing = this.closing.get(context);
    if (!closing) {
      closing = this.closeOnce(context, browser);
      this.closing.set(context, closing);
    }
    return closing;
  }

  private async closeOnce(context: BrowserContext, browser: Browser): Promise<void> {
    if (!browser.connected || context.closed) return;
    try {
      await withTimeout(context.close(), CONTEXT_CLOSE_TIMEOUT_MS);
    } catch {
      if (browser.connected) {
        this.log?.warn("a capture context did not close; restarting the browser");
        this.forget(browser);
      }
    }
  }

  private currentBrowser(): Promise<Browser> {
    if (this.closed) return Promise.reject(new Error("The capture service is shutting down."));
    if (this.browser?.connected) return Promise.resolve(this.browser);
    this.launching ??= this.launch().finally(() => {
      this.launching = undefined;
    });
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    // The owner of the job reads these; the operator reads the log.
    if (!fs.existsSync(this.executablePath)) {
      this.log?.error({ executablePath: this.executablePath }, "no Chromium at CHROMIUM_PATH: screenshots and page PDFs cannot run");
      throw new AppError("PRECONDITION_FAILED", "Screenshots and page PDFs are not available on this server: it has no browser installed.");
    }
    this.proxy ??= startEgressProxy({ allow: this.allowHosts, log: this.log });
    const proxy = await this.proxy;
    let browser: Browser;
    try {
      // Loaded here, not at start: a server that never captures a page does not carry it.
      const { default: puppeteer } = await import("puppeteer-core");
      browser = await puppeteer.launch({
        executablePath: this.executablePath,
        headless: true,
        pipe: true, // no DevTools port on localhost for a page to find
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        defaultViewport: null,
        args: [
          `--proxy-server=${proxy.url}`,
          // Chromium skips the proxy for loopback unless told otherwise.
          "--proxy-bypass-list=<-loopback>",
          // WebRTC's UDP does not go through an HTTP proxy: no UDP at all.
          "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
          "--disable-quic",
          // Fewer of Chromium's own calls home (they would go through the proxy and be refused).
          "--disable-component-update",
          "--no-pings",
          "--disable-domain-reliability",
          "--disable-features=AutofillServerCommunication,OptimizationHints,OptimizationGuideModelDownloading,MediaRouter,CertificateTransparencyComponentUpdater,SigninInterception,AccountConsistency",
          "--disable-dev-shm-usage",
          "--disable-gpu",
          "--hide-scrollbars",
          "--mute-audio",
          ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
        ],
      });
    } catch (error) {
      this.log?.error({ err: error, executablePath: this.executablePath }, "the capture browser could not be started");
      throw new AppError("PRECONDITION_FAILED", "The server's browser could not be started, so this capture cannot run now. Try again later.");
    }
    this.launches++;
    this.browser = browser;
    this.runningProxy = proxy;
    browser.once("disconnected", () => {
      this.log?.warn("the capture browser disconnected; the next capture starts a new one");
      this.forget(browser);
    });
    if (this.closed) {
      await browser.close().catch(() => undefined);
      throw new Error("The capture service is shutting down.");
    }
    return browser;
  }

  private forget(browser: Browser): void {
    if (this.browser === browser) this.browser = undefined;
    browser.process()?.kill("SIGKILL");
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (this.closed) return Promise.reject(new Error("The capture service is shutting down."));
    if (this.inUse < this.size && this.waiters.length === 0) {
      this.inUse++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(abortError());
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hands the slot straight to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.inUse--;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
