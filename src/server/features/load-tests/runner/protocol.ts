/**
 * What the service and its load-generator child process say to each other over Node's IPC
 * channel. The child knows nothing of the database: it is told what to load and reports numbers.
 */
import type { HistogramBucket, LatencySummary, LoadTestScenario, LoadTestSnapshot } from "@/shared/load-tests";

export interface RunnerSettings {
  scenario: LoadTestScenario;
  connections: number;
  durationS: number;
  /** Requests per second over the whole run (websocket: published messages); null: as fast as it goes. */
  ratePerS: number | null;
  maxRequests: number;
  /** Pulse's own base URL, e.g. http://127.0.0.1:3000. */
  target: string;
  /** The load-test account's API token. */
  token: string;
  /** Sent on every request and upgrade as LOAD_TEST_HEADER: the traffic is exempt from rate limits. */
  secret: string;
}

/** The run's figures so far (every snapshot) and at the end. */
export interface RunnerTotals {
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  bytesReceived: number;
  elapsedS: number;
  latency: LatencySummary;
  histogram: HistogramBucket[];
  delivered?: number;
  expected?: number;
}

export type ParentMessage = { type: "start"; settings: RunnerSettings } | { type: "stop" };

export type ChildMessage =
  | { type: "snapshot"; snapshot: Omit<LoadTestSnapshot, "at"> & { at: number } }
  | { type: "done"; totals: RunnerTotals; stopped: boolean }
  | { type: "failed"; message: string };
