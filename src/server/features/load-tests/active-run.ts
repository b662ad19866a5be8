/**
 * A run on the instance that started it: its load generator (a child process), its progress
 * written to PostgreSQL and announced as it comes (each write beats the run's heart), and its one
 * ending — completed, stopped or failed, whichever comes first — with the result graded and
 * compared with the previous run of its scenario.
 */
import type { App } from "@/server/app";
import type { LoadTestProgressEvent, LoadTestRunView, LoadTestSnapshot, LoadTestStatus } from "@/shared/load-tests";
import { resultOf } from "./report.js";
import { RunnerProcess } from "./runner/process.js";
import type { ChildMessage, RunnerSettings, RunnerTotals } from "./runner/protocol.js";
import { appendProgress, CHANGED_CHANNEL, endRun, previousRun, progressChannel } from "./runs.js";

export interface Ending {
  status: Exclude<LoadTestStatus, "running">;
  message: string | null;
}

export class ActiveRun {
  private readonly series: LoadTestSnapshot[] = [];
  private readonly runner: RunnerProcess;
  /** Progress writes, one after another: a run's event ids commit in order. */
  private writes: Promise<unknown> = Promise.resolve();
  private stopRequested = false;
  private ending: Promise<void> | undefined;
  /** Resolves once the run has ended and its end is stored. */
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor(
    private readonly app: App,
    readonly run: Pick<LoadTestRunView, "id" | "scenario">,
    settings: RunnerSettings,
    /** After the end is stored: the run's token is revoked, the run forgotten. */
    private readonly onEnded: (ending: Ending) => Promise<void>,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.runner = new RunnerProcess(settings, {
      onMessage: (message) => this.receive(message),
      onExit: (code, signal) => {
        // Exited without its totals (killed at the end of a stop, or crashed): what the series says is kept.
        if (this.stopRequested) void this.finish({ status: "stopped", message: "Stopped before the load generator reported its totals." }, null);
        else void this.finish({ status: "failed", message: `The load generator exited unexpectedly (${signal ?? `exit code ${code}`}).` }, null);
      },
    });
  }

  get pid(): number | undefined {
    return this.runner.pid;
  }

  /** Ends the load at once: the generator reports and exits, or is killed within STOP_KILL_MS. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.runner.stop();
    await this.ended;
  }

  /** Shutdown: kill the generator; the run ends as stopped. */
  async abandon(): Promise<void> {
    this.stopRequested = true;
    await this.finish({ status: "stopped", message: "The server running this load test shut down." }, null);
    this.runner.kill();
    await this.runner.exit;
  }

  private receive(message: ChildMessage): void {
    switch (message.type) {
      case "snapshot": {
        const snapshot: LoadTestSnapshot = { ...message.snapshot, at: new Date(message.snapshot.at) };
        this.series.push(snapshot);
        void this.write(snapshot);
        return;
      }
      case "done":
        void this.finish({ status: message.stopped || this.stopRequested ? "stopped" : "completed", message: message.stopped || this.stopRequested ? "Stopped by an admin." : null }, message.totals);
        return;
      case "failed":
        void this.finish({ status: "failed", message: `The load test could not run: ${message.message}` }, null);
    }
  }

  private write(event: LoadTestProgressEvent): Promise<unknown> {
    const { pool, bus, log } = this.app;
    const runId = this.run.id;
    this.writes = this.writes.then(async () => {
      try {
        const id = await appendProgress(pool, runId, event);
        if (event.type === "snapshot") await pool.query(`UPDATE "LoadTestRun" SET "heartbeatAt" = now() WHERE id = $1`, [runId]);
        await bus.publish(progressChannel(runId), id.toString()).catch(() => undefined);
      } catch (err) {
        log.warn({ err, runId }, "could not store a load test's progress");
      }
    });
    return this.writes;
  }

  private finish(ending: Ending, totals: RunnerTotals | null): Promise<void> {
    return (this.ending ??= (async () => {
      const { pool, bus, log } = this.app;
      await this.writes;
      let result = null;
      try {
        const previous = totals ? await previousRun(pool, this.run.scenario, this.run.id) : null;
        const final = totals ?? totalsFromSeries(this.series);
        if (final) result = resultOf(this.run.scenario, final, this.series, previous);
        if (await endRun(pool, this.run.id, ending.status, result, ending.message)) {
          await this.write({ type: "end", status: ending.status, message: ending.message, result });
          await bus.publish(CHANGED_CHANNEL, this.run.id).catch(() => undefined);
        }
      } catch (err) {
        log.error({ err, runId: this.run.id }, "could not store a load test's end");
      }
      await this.onEnded(ending).catch((err: unknown) => log.warn({ err, runId: this.run.id }, "could not clean up after a load test"));
      this.resolveEnded();
    })());
  }
}

/**
 * The best that can be said without the generator's totals: counts summed from the series, and
 * each percentile the worst second's (an upper bound, never flattering).
 */
function totalsFromSeries(series: LoadTestSnapshot[]): RunnerTotals | null {
  if (!series.length) return null;
  const worst = (key: "p50" | "p95" | "p99") => Math.max(...series.map((s) => s[key]));
  const last = series.at(-1)!;
  const errorsByKind: Record<string, number> = {};
  for (const s of series) for (const [kind, n] of Object.entries(s.errorsByKind)) errorsByKind[kind] = (errorsByKind[kind] ?? 0) + n;
  return {
    requests: last.totalRequests,
    errors: last.totalErrors,
    errorsByKind,
    bytesReceived: 0,
    elapsedS: series.length,
    latency: { min: 0, mean: 0, p50: worst("p50"), p90: worst("p95"), p95: worst("p95"), p99: worst("p99"), p999: worst("p99"), max: worst("p99") },
    histogram: [],
    ...(last.expected !== undefined ? { delivered: last.delivered, expected: last.expected } : {}),
  };
}
