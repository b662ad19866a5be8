/** Settings and result shapes of the fan-out benchmark (bench/sessions-fanout.ts). */
import type { Percentiles } from "./stats.js";

export interface FanoutSettings {
  messages: number;
  help: number;
  helpRate: number;
  concurrency: number;
  drainMs: number;
  settleMs: number;
  serverArgs: string[];
  profile: boolean;
  /** Client processes for the N subscribers; undefined: chosen by N × rate (bench/fanout/client-pool.ts). */
  clientProcs: number | undefined;
  /** CPU the server is pinned to, and the load generator's (this process and its client processes). */
  serverCpu: number | undefined;
  generatorCpu: number | undefined;
}

/** One measurement of the plan: N subscribers, `ratePerS` messages a second, run `run` of `runs`. */
export interface PlanStep {
  n: number;
  ratePerS: number;
  run: number;
  runs: number;
}

/**
 * CPU over the fan-out window, each as % of one core, and which side ran out. On a shared machine
 * a side can be starved rather than busy: the time its main thread(s) waited runnable for a CPU
 * (/proc/<pid>/schedstat) is what other work took from it; CPU + wait is what it wanted.
 */
export interface CpuFigures {
  serverCpuPct: number | null;
  /** The server's main thread runnable but not running, % of the window. */
  serverWaitPct: number | null;
  /** Server CPU time during the fan-out ÷ deliveries. */
  serverCpuMicrosecondsPerDelivery: number | null;
  /** The whole load generator: this process (publisher) plus its client processes (subscribers). */
  generatorCpuPct: number;
  /** The publishing process alone (for Pulse also the observer, host and admin sockets). */
  publisherCpuPct: number;
  /** The load generator's main threads runnable but not running, % of the window, summed over its processes (above 100 % when several wait at once). */
  generatorWaitPct: number;
  clientProcs: number;
  /** "server", "load generator", "both" (each side's CPU + wait ≥ 90 % of one core) or "neither". */
  saturated: "server" | "load generator" | "both" | "neither";
}

export interface MemoryFigures {
  rssBeforeBytes: number;
  /** With all N still connected, after the timed phases (a forced collection before them would slow their start). */
  rssConnectedBytes: number;
  perConnectionKB: number;
  heapUsedBeforeBytes?: number;
  heapUsedConnectedBytes?: number;
  /** V8 heap in use per connection (after a GC): the JavaScript side of the figure above. */
  heapPerConnectionKB?: number;
}

export interface YardstickResult extends CpuFigures {
  kind: "bare-ws" | "prebuilt-frame";
  n: number;
  ratePerS: number;
  latencyMs: Percentiles;
  delivered: number;
  expected: number;
  deliveredPct: number;
  publishRoundTripMs: Percentiles;
  wallS: number;
  memory: MemoryFigures;
  errors: string[];
}

export interface RunResult extends PlanStep {
  /** The same fan-out through bare `ws` on the same core (bench/lib/bare-ws-server.ts). */
  bareWs?: YardstickResult;
  /** … and through one pre-built frame written to each socket (bench/lib/prebuilt-frame-server.ts). */
  prebuilt?: YardstickResult;
  /** Server CPU per delivery ÷ the pre-built-frame yardstick's (issue 15's target: ≤ 1.5). */
  cpuRatioToPrebuilt: number | null;
  connect: { wallS: number; failed: number; failures: string[]; subscribeMs: Percentiles };
  presence: {
    /** The observer learned (from presence events) that every subscriber is online. */
    allOnlineKnown: boolean;
    /** From the first connection attempt until the observer knew every subscriber online. */
    settleWrittenS: number | null;
    /** … until the last subscriber that had subscribed before that presence event was written received it. */
    settleDeliveredS: number | null;
    /** Subscribers that received that presence event … */
    receivedSettleEvent: number;
    /** … and those whose stream began after it (they know who is online from `byId`, as a real client does). */
    subscribedAfterSettleEvent: number;
    /** Subscribers that subscribed before it and never received it: should be 0. */
    missedSettleEvent: number;
    events: number;
    entries: number;
    deliveries: number;
  };
  fanout: CpuFigures & {
    messages: number;
    ratePerS: number;
    expected: number;
    delivered: number;
    deliveredPct: number;
    duplicates: number;
    orderViolations: number;
    latencyMs: Percentiles;
    sendMessageRoundTripMs: Percentiles;
    sendFailures: string[];
    /** Messages the server accepted (the others answered an error and were not written). */
    messagesAccepted: number;
    wallS: number;
  };
  help: {
    requests: number;
    ratePerS: number;
    host: { received: number; latencyMs: Percentiles; position: string };
    adminInbox: { received: number; latencyMs: Percentiles };
    requestHelpRoundTripMs: Percentiles;
    deliveriesInSession: number;
    failures: string[];
  };
  memory: MemoryFigures;
  errors: string[];
}
