/**
 * A circuit breaker for one upstream, per process. It counts requests, not HTTP attempts: the
 * caller reports each request's outcome once, after its own retries, so "N failures" means N
 * people in a row who got no answer. While open it refuses at once; after `openMs` it lets one
 * probe through (half-open) and the probe's outcome decides.
 */
export type BreakerState = "closed" | "open" | "half-open";

/**
 * How a request ended, for the breaker: `failure` is an outage (5xx, overloaded, time-out, lost
 * connection); `success` means the upstream answered, even with a refusal such as 401 or 429;
 * `neutral` tells nothing (the caller aborted).
 */
export type Outcome = "success" | "failure" | "neutral";

export interface BreakerOptions {
  /** Consecutive failed requests that open the circuit. */
  failures: number;
  /** How long it stays open before one probe is let through. */
  openMs: number;
  /** Called on every change of state, to log it. */
  onChange?: (to: BreakerState, from: BreakerState) => void;
  now?: () => number;
}

export type Admission = { admitted: true; probe: boolean } | { admitted: false; retryAfterS: number };

export class CircuitBreaker {
  private current: BreakerState = "closed";
  private consecutiveFailures = 0;
  private openedAt = 0;
  /** In half-open, whether the one probe is on its way: everyone else waits for its outcome. */
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    if (!Number.isInteger(options.failures) || options.failures < 1) throw new RangeError("breaker failures must be an integer ≥ 1");
    if (!(options.openMs >= 0)) throw new RangeError("breaker openMs must be ≥ 0");
    this.now = options.now ?? Date.now;
  }

  /**
   * What a health check should report. An open circuit whose wait is over reads as half-open:
   * the next request will be the probe.
   */
  state(): BreakerState {
    if (this.current === "open" && this.now() - this.openedAt >= this.options.openMs) return "half-open";
    return this.current;
  }

  /** Whether a request may go upstream now; a probe's caller must report its outcome. */
  admit(): Admission {
    if (this.current === "closed") return { admitted: true, probe: false };
    if (this.current === "open") {
      const waitMs = this.openedAt + this.options.openMs - this.now();
      if (waitMs > 0) return { admitted: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)) };
      this.move("half-open");
    }
    if (this.probing) return { admitted: false, retryAfterS: 1 };
    this.probing = true;
    return { admitted: true, probe: true };
  }

  /** Reports how an admitted request ended. */
  settle(outcome: Outcome, probe: boolean): void {
    if (probe) this.probing = false;
    if (outcome === "success") {
      // Any answer proves the upstream is back, whether or not it came from the probe.
      this.consecutiveFailures = 0;
      if (this.current !== "closed") this.move("closed");
      return;
    }
    if (outcome === "neutral") return;
    this.consecutiveFailures += 1;
    if (this.current === "half-open" && probe) this.open();
    else if (this.current === "closed" && this.consecutiveFailures >= this.options.failures) this.open();
    // A request admitted before the circuit opened and failing now changes nothing: it is open.
  }

  private open(): void {
    this.openedAt = this.now();
    this.move("open");
  }

  private move(to: BreakerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.options.onChange?.(to, from);
  }
}
