/**
 * How each kind's shared state begins and how the stress picture is computed, on the server.
 * The state's shape and the timer arithmetic are shared with the pages (src/shared/sessions/).
 */
import type { SessionState, StressAggregate, TimerFields } from "@/shared/sessions/state";
import type { CreateInput } from "./schemas.js";

const idleTimer: TimerFields = { startedAt: null, pausedAt: null, elapsedBeforePauseMs: 0 };

export function emptyAggregate(minReports: number): StressAggregate {
  return { count: 0, minReports, withheld: true, mean: null, distribution: Array<number>(10).fill(0), topFactors: [] };
}

export function initialState(input: CreateInput, options: { stressMinReports: number }): SessionState {
  switch (input.kind) {
    case "meditation":
      return { kind: "meditation", ...idleTimer, durationMs: input.config.durationMs, bellIntervalMs: input.config.bellIntervalMs ?? null };
    case "breathing":
      return { kind: "breathing", ...idleTimer, pattern: input.config.pattern, cycles: input.config.cycles };
    case "stress":
      return { kind: "stress", prompt: input.config.prompt || null, aggregate: emptyAggregate(options.stressMinReports) };
    case "collaboration":
      return { kind: "collaboration" };
  }
}

/**
 * The live picture of the group from each present participant's latest report, withheld (only
 * the count) while fewer than `minReports` have reported.
 */
export function aggregateStress(reports: { level: number; factors: string[] }[], minReports: number): StressAggregate {
  const aggregate = emptyAggregate(minReports);
  aggregate.count = reports.length;
  if (!reports.length || reports.length < minReports) return aggregate;
  aggregate.withheld = false;
  let sum = 0;
  const factors = new Map<string, number>();
  for (const report of reports) {
    sum += report.level;
    aggregate.distribution[report.level - 1]!++;
    for (const factor of new Set(report.factors)) factors.set(factor, (factors.get(factor) ?? 0) + 1);
  }
  aggregate.mean = Math.round((sum / reports.length) * 10) / 10;
  aggregate.topFactors = [...factors]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 5)
    .map(([factor, count]) => ({ factor, count }));
  return aggregate;
}
