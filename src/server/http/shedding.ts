/**
 * Load shedding: while this process is overloaded — its event loop lagging or its heap nearly
 * full — new non-essential HTTP requests are answered at once with 503 and Retry-After, so the
 * work already accepted can finish and the process recovers instead of falling further behind.
 * Health checks, sign-in/out and live subscriptions are essential and always served (a client
 * that cannot subscribe cannot learn that things are back). It clears by itself once both figures
 * have stayed under their lines for `clearAfterMs`.
 */
import type { ServerResponse } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { TRPCError } from "@trpc/server";
import { getHeapStatistics } from "node:v8";
import type { Logger } from "@/server/log";

export interface SheddingSettings {
  /** Event-loop delay (p99 over each sample interval) past which requests are shed; 0: never. */
  eventLoopMs: number;
  /** Heap used, as a percentage of V8's heap limit, past which requests are shed; 0: never. */
  heapPercent: number;
  /** Both figures must stay under their lines this long before shedding stops (no flapping). */
  clearAfterMs: number;
  sampleEveryMs: number;
  retryAfterS: number;
}

export interface SheddingState {
  shedding: boolean;
  eventLoopP99Ms: number;
  heapPercent: number;
  /** Requests refused since this process started. */
  shed: number;
}

export class LoadShedder {
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private readonly heapLimit = getHeapStatistics().heap_size_limit;
  private timer: NodeJS.Timeout | undefined;
  private calmSince: number | undefined;
  private readonly state: SheddingState = { shedding: false, eventLoopP99Ms: 0, heapPercent: 0, shed: 0 };

  constructor(
    private readonly settings: SheddingSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (!this.settings.eventLoopMs && !this.settings.heapPercent) return;
    this.loop.enable();
    this.timer = setInterval(() => this.sample(), this.settings.sampleEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.loop.disable();
  }

  get current(): Readonly<SheddingState> {
    return this.state;
  }

  /** True when this request must be refused now (and counts it). */
  refuses(essential: boolean): boolean {
    if (!this.state.shedding || essential) return false;
    this.state.shed++;
    return true;
  }

  private sample(now = Date.now()): void {
    const { eventLoopMs, heapPercent, clearAfterMs } = this.settings;
    const lagMs = this.loop.count ? this.loop.percentile(99) / 1e6 : 0;
    this.loop.reset();
    const heap = (process.memoryUsage().heapUsed / this.heapLimit) * 100;
    this.state.eventLoopP99Ms = Math.round(lagMs * 10) / 10;
    this.state.heapPercent = Math.round(heap * 10) / 10;
    const over = (eventLoopMs > 0 && lagMs > eventLoopMs) || (heapPercent > 0 && heap > heapPercent);
    if (over) {
      this.calmSince = undefined;
      if (!this.state.shedding) {
        this.state.shedding = true;
        this.log.warn({ eventLoopP99Ms: this.state.eventLoopP99Ms, heapPercent: this.state.heapPercent }, "overloaded: shedding non-essential requests");
      }
      return;
    }
    if (!this.state.shedding) return;
    this.calmSince ??= now;
    if (now - this.calmSince >= clearAfterMs) {
      this.state.shedding = false;
      this.calmSince = undefined;
      this.log.info({ shed: this.state.shed }, "load back to normal: serving every request again");
    }
  }
}

/** Always served, overloaded or not: signing in and out, and who am I (the pages need it to say anything). */
const ESSENTIAL_PROCEDURES = new Set(["auth.signIn", "auth.signOut", "auth.me", "health.ping", "health.check"]);

/** Whether every call of a tRPC request is essential: the procedures above, and subscriptions (live streams). */
export function essentialCalls(procedures: Record<string, unknown>, paths: readonly string[]): boolean {
  return paths.every((path) => {
    if (ESSENTIAL_PROCEDURES.has(path)) return true;
    const procedure = Object.hasOwn(procedures, path) ? (procedures[path] as { _def?: { type?: string } }) : undefined;
    return procedure?._def?.type === "subscription";
  });
}

/** Non-tRPC paths that are always served: health, metrics, and Next's static assets (cheap, and pages need them). */
export function essentialPath(pathname: string): boolean {
  return pathname.startsWith("/health") || pathname === "/metrics" || pathname.startsWith("/_next/static/");
}

export const SHED_MESSAGE = "Pulse is very busy right now. Please try again in a few seconds.";

/** A tRPC call refused while shedding: 503 with Retry-After. */
export function overloaded(res: ServerResponse, retryAfterS: number): TRPCError {
  res.setHeader("Retry-After", String(retryAfterS));
  return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: SHED_MESSAGE });
}

/** Any other request refused while shedding (a page, a download). */
export function sendOverloaded(res: ServerResponse, retryAfterS: number): void {
  res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Retry-After": String(retryAfterS), "Cache-Control": "no-store" });
  res.end(`${SHED_MESSAGE}\n`);
}
