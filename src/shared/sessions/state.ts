/**
 * Each kind's shared state, as the server stores it and every client receives it.
 *
 * Timers hold instants, never countdowns: `startedAt` is the server's epoch ms when the current
 * running stretch began (null while paused, ended or not started), `elapsedBeforePauseMs` what
 * ran before it. Given the state and the server's time, every client derives the same picture
 * (timer.ts).
 */

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

/** The host's timer controls (sessions.start, pause, resume, end). */
export type TimerAction = "start" | "pause" | "resume" | "end";
