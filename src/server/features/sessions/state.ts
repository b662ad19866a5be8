/**
 * Each kind's shared state and how it changes: pure functions of (state, server now), so that a
 * client holding the state and its clock offset from the server derives the same picture.
 *
 * Timers hold instants, never countdowns: `startedAt` is the server's epoch ms when the current
 * running stretch began (null while paused, ended or not started), `elapsedBeforePauseMs` what
 * ran before it. Elapsed at server time `now` = elapsedBeforePauseMs + (startedAt ? now - startedAt : 0).
 */
import type { CreateInput } from "./schemas.js";

export interface BreathingPattern {
  inhaleMs: number;
  holdInMs: number;
  exhaleMs: number;
  holdOutMs: number;
}

/** What every timer-driven state carries. */
export interface TimerFields {
  startedAt: number | null;
  pausedAt: number | null;
  elapsedBeforePauseMs: number;
}

/** remaining(now) = durationMs - elapsed(now), at least 0; a bell rings at each bellIntervalMs of elapsed time. */
export interface MeditationState extends TimerFields {
  kind: "meditation";
  durationMs: number;
  bellIntervalMs: number | null;
}

/**
 * Phase at elapsed e: cycleMs = inhale + holdIn + exhale + holdOut; cycle = floor(e / cycleMs)
 * (done once cycle >= cycles); the phase is where e mod cycleMs falls. Changing the pattern live
 * restarts the count from the change (elapsed 0 at that instant).
 */
export interface BreathingState extends TimerFields {
  kind: "breathing";
  pattern: BreathingPattern;
  cycles: number;
}

/**
 * The group's picture. Below `minReports` reports it is withheld: mean null, an all-zero
 * distribution and no factors, so that nobody (two people, say) can subtract their own report
 * and read another's. Only the count is told, so a page can say how many more are needed.
 */
export interface StressAggregate {
  /** Present participants who have reported. */
  count: number;
  /** Reports needed before the picture is shown (the server's STRESS_MIN_REPORTS). */
  minReports: number;
  /** True while count < minReports: the fields below are empty. */
  withheld: boolean;
  /** Mean of their latest levels, one decimal; null with no reports or while withheld. */
  mean: number | null;
  /** distribution[i] = how many reported level i + 1. */
  distribution: number[];
  /** The most named factors, most first (at most 5). */
  topFactors: { factor: string; count: number }[];
}

export interface StressState {
  kind: "stress";
  prompt: string | null;
  aggregate: StressAggregate;
}

/** The document itself is Yjs state, loaded with byId and changed by `doc` events. */
export interface CollaborationState {
  kind: "collaboration";
}

export type SessionState = MeditationState | BreathingState | StressState | CollaborationState;

export type TimerAction = "start" | "pause" | "resume" | "end";

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

function hasTimer(state: SessionState): state is MeditationState | BreathingState {
  return state.kind === "meditation" || state.kind === "breathing";
}

/** The state after a timer action at server time `now`. Kinds without a timer are unchanged. */
export function applyTimer(state: SessionState, action: TimerAction, now: number): SessionState {
  if (!hasTimer(state)) return state;
  const running = state.startedAt !== null;
  const elapsed = state.elapsedBeforePauseMs + (running ? now - state.startedAt! : 0);
  switch (action) {
    case "start":
      return { ...state, startedAt: now, pausedAt: null, elapsedBeforePauseMs: 0 };
    case "resume":
      return { ...state, startedAt: now, pausedAt: null };
    case "pause":
      return { ...state, startedAt: null, pausedAt: now, elapsedBeforePauseMs: elapsed };
    case "end":
      return { ...state, startedAt: null, pausedAt: null, elapsedBeforePauseMs: elapsed };
  }
}

export function elapsedMs(state: TimerFields, now: number): number {
  return state.elapsedBeforePauseMs + (state.startedAt !== null ? Math.max(0, now - state.startedAt) : 0);
}

export function remainingMs(state: MeditationState, now: number): number {
  return Math.max(0, state.durationMs - elapsedMs(state, now));
}

/** The host changed the pattern or the cycles: a running exercise restarts from inhale now. */
export function changeBreathing(
  state: BreathingState,
  change: { pattern?: BreathingPattern; cycles?: number },
  now: number,
): BreathingState {
  const running = state.startedAt !== null;
  return {
    ...state,
    pattern: change.pattern ?? state.pattern,
    cycles: change.cycles ?? state.cycles,
    startedAt: running ? now : null,
    pausedAt: running ? null : state.pausedAt,
    elapsedBeforePauseMs: 0,
  };
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
