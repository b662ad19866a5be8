/**
 * A page as a PNG (the viewport or the full page) or as an A4 PDF, through the browser pool.
 * The address is checked here first (the proxy checks every later request again); the whole
 * capture has one deadline, and aborting the caller's signal stops it at once.
 */
import { TimeoutError, type Page } from "puppeteer-core";
import { AppError } from "@/server/errors";
import { abortError, type BrowserPool } from "./browser.js";
import { checkTarget } from "./guard.js";
import { BLOCKED_HEADER, UNREACHABLE_HEADER } from "./proxy.js";
import { SCREENSHOT_LIMITS } from "@/shared/files";

export type CaptureRequest =
  | { kind: "screenshot"; url: string; fullPage?: boolean; width?: number; height?: number }
  | { kind: "pagepdf"; url: string };

export interface CaptureOptions {
  signal?: AbortSignal;
  /** The whole capture, navigation included (default 30 s). */
  timeoutMs?: number;
  onProgress?: (percent: number, message: string) => void;
}

export const DEFAULT_CAPTURE_TIMEOUT_MS = 30_000;
/** After "load", wait until at most 2 requests are in flight for this long (networkidle2, shorter)… */
const SETTLE_IDLE_MS = 100;
/** …but no longer than this: a page that polls forever is captured as it is. */
const SETTLE_CAP_MS = 2_000;

type Phase = "load" | "render";

export async function capture(pool: BrowserPool, request: CaptureRequest, options: CaptureOptions = {}): Promise<Buffer> {
  const { signal, onProgress } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CAPTURE_TIMEOUT_MS;
  const width = request.kind === "screenshot" ? inRange("width", request.width, SCREENSHOT_LIMITS.width) : SCREENSHOT_LIMITS.width.default;
  const height = request.kind === "screenshot" ? inRange("height", request.height, SCREENSHOT_LIMITS.height) : SCREENSHOT_LIMITS.height.default;
  if (signal?.aborted) throw abortError();
  onProgress?.(5, "Checking the address");
  const url = await checkTarget(request.url, pool.allowHosts);

  const started = performance.now();
  const remaining = () => Math.max(1, timeoutMs - (performance.now() - started));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  let phase: Phase = "load";
  // AppErrors: the owner reads these on the job (a plain Error shows only "failed unexpectedly").
  const loadTimeout = () => new AppError("BAD_REQUEST", `The page did not load within ${seconds(timeoutMs)} s.`);

  try {
    return await pool.withPage(
      async (page) => {
        await page.setViewport({ width, height, deviceScaleFactor: 1 });
        onProgress?.(15, "Opening the page");
        await open(page, url.href, remaining(), loadTimeout);
        onProgress?.(60, "Waiting for the page to settle");
        await page.waitForNetworkIdle({ idleTime: SETTLE_IDLE_MS, concurrency: 2, timeout: Math.min(SETTLE_CAP_MS, remaining()) }).catch(() => undefined);
        phase = "render";
        if (request.kind === "pagepdf") {
          onProgress?.(75, "Printing the page");
          return Buffer.from(await page.pdf({ format: "A4", printBackground: true, timeout: remaining() }));
        }
        onProgress?.(75, "Taking the screenshot");
        return Buffer.from(await screenshot(page, width, height, request.fullPage === true));
      },
      AbortSignal.any(signal ? [signal, deadline.signal] : [deadline.signal]),
    );
  } catch (error) {
    if (signal?.aborted) throw abortError();
    if (deadline.signal.aborted) throw phase === "load" ? loadTimeout() : new AppError("BAD_REQUEST", `The capture did not finish within ${seconds(timeoutMs)} s.`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function open(page: Page, url: string, timeoutMs: number, loadTimeout: () => Error): Promise<void> {
  let response;
  try {
    response = await page.goto(url, { waitUntil: "load", timeout: timeoutMs });
  } catch (error) {
    if (error instanceof TimeoutError) throw loadTimeout();
    const why = reason(error);
    // Chromium's net:: codes are safe to show; anything else stays internal.
    if (why) throw new AppError("BAD_REQUEST", `The page could not be reached: ${why}`);
    throw new Error("The page could not be reached", { cause: error });
  }
  if (response?.headers()[UNREACHABLE_HEADER]) {
    throw new AppError("BAD_REQUEST", "The page could not be reached: the site refused the connection, did not answer, or its name does not resolve.");
  }
  // Our proxy's refusal: the page (or where it redirected) is on a private network.
  if (response?.headers()[BLOCKED_HEADER]) {
    const redirected = response.request().redirectChain().length > 0;
    throw new AppError(
      "BAD_REQUEST",
      redirected ? "The page redirected to an address on a private network, which cannot be captured." : "That address is on a private network and cannot be captured.",
    );
  }
}

async function screenshot(page: Page, width: number, height: number, fullPage: boolean): Promise<Uint8Array> {
  // optimizeForSpeed: faster zlib settings; a somewhat larger PNG is cheaper than a slower capture.
  if (!fullPage) return page.screenshot({ type: "png", optimizeForSpeed: true });
  const documentHeight = await page.evaluate(() => Math.max(document.documentElement.scrollHeight, document.body?.scrollHeight ?? 0));
  const clipHeight = Math.min(Math.max(documentHeight, height), SCREENSHOT_LIMITS.fullPageMaxHeight);
  return page.screenshot({ type: "png", optimizeForSpeed: true, clip: { x: 0, y: 0, width, height: clipHeight }, captureBeyondViewport: true });
}

function inRange(name: string, value: number | undefined, limits: { min: number; max: number; default: number }): number {
  if (value === undefined) return limits.default;
  if (!Number.isInteger(value) || value < limits.min || value > limits.max) {
    throw new AppError("BAD_REQUEST", `The ${name} must be a whole number from ${limits.min} to ${limits.max}.`);
  }
  return value;
}

/** Chromium's "net::ERR_NAME_NOT_RESOLVED at https://…" without the repeated address, or nothing. */
function reason(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const net = /net::ERR_[A-Z_]+/.exec(message)?.[0];
  if (net === "net::ERR_TUNNEL_CONNECTION_FAILED") return "the connection was refused or blocked (net::ERR_TUNNEL_CONNECTION_FAILED).";
  return net;
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
