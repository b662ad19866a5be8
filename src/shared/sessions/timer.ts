/**
 * The timer arithmetic, one set for both sides: the server applies the host's actions with it,
 * every client derives the same remaining time and breathing phase from the state and the
 * server's time (its own clock plus the measured offset). Pure functions of (state, now).
 */
import type { BreathingPattern, BreathingState, MeditationState, SessionState, TimerAction, TimerFields } from "./state";

type Running = Pick<TimerFields, "startedAt" | "elapsedBeforePauseMs">;

/** Elapsed running time at server time `now` (a start instant ahead of `now` counts as 0). */
export function elapsedMs(state: Running, now: number): number {
  return state.elapsedBeforePauseMs + (state.startedAt !== null ? Math.max(0, now - state.startedAt) : 0);
}

export function remainingMs(state: Pick<MeditationState, keyof Running | "durationMs">, now: number): number {
  return Math.max(0, state.durationMs - elapsedMs(state, now));
}

/** One breath: inhale + hold + exhale + hold. */
export function cycleMs(pattern: BreathingPattern): number {
  return pattern.inhaleMs + pattern.holdInMs + pattern.exhaleMs + pattern.holdOutMs;
}

/** How long a timed kind runs in all (the meditation, every breathing cycle); null for the others. */
export function totalMs(state: SessionState): number | null {
  if (state.kind === "meditation") return state.durationMs;
  if (state.kind === "breathing") return cycleMs(state.pattern) * state.cycles;
  return null;
}

function hasTimer(state: SessionState): state is MeditationState | BreathingState {
  return state.kind === "meditation" || state.kind === "breathing";
}

/** The state after a timer action at server time `now`. Kinds without a timer are unchanged. */
export function applyTimer(state: SessionState, action: TimerAction, now: number): SessionState {
  if (!hasTimer(state)) return state;
  const elapsed = elapsedMs(state, now);
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
 * True once a timed session's timer has run out at server time `now` (a meditation at 0:00, a
 * breathing exercise after its last cycle) while the session is still open: the server keeps it
 * live until the host ends it, but what people see is done.
 */
export function timerComplete(state: SessionState, status: string, now: number): boolean {
  if ((status !== "live" && status !== "paused") || !hasTimer(state)) return false;
  return elapsedMs(state, now) >= totalMs(state)!;
}

/** Server ms until `timerComplete` turns true while the timer runs; null if it is not running or already done. */
export function msUntilComplete(state: SessionState, status: string, now: number): number | null {
  if (status !== "live" || !hasTimer(state) || state.startedAt === null) return null;
  const left = totalMs(state)! - elapsedMs(state, now);
  return left > 0 ? left : null;
}

export type BreathPhase = "inhale" | "holdIn" | "exhale" | "holdOut";

export const PHASES: readonly BreathPhase[] = ["inhale", "holdIn", "exhale", "holdOut"];

export function phaseDuration(pattern: BreathingPattern, phase: BreathPhase): number {
  return { inhale: pattern.inhaleMs, holdIn: pattern.holdInMs, exhale: pattern.exhaleMs, holdOut: pattern.holdOutMs }[phase];
}

export interface BreathMoment {
  /** Not started, running, paused (or ended mid-way), or all cycles done. */
  stage: "idle" | "running" | "paused" | "done";
  phase: BreathPhase;
  /** 0..1 through the current phase. */
  progress: number;
  /** ms left in the current phase. */
  phaseRemainingMs: number;
  /** 0-based cycle index (clamped to the last one when done). */
  cycle: number;
  /** 0 (empty lungs) .. 1 (full): how big the guide's circle is. */
  fullness: number;
}

const ease = (t: number) => 0.5 - Math.cos(Math.PI * Math.min(1, Math.max(0, t))) / 2;

/**
 * Where the group is in the exercise at server time `now`: cycle = floor(elapsed / cycleMs),
 * done once cycle >= cycles; the phase is where elapsed mod cycleMs falls.
 */
export function breathAt(state: BreathingState, now: number, status: string): BreathMoment {
  const { pattern, cycles } = state;
  const oneCycle = cycleMs(pattern);
  const elapsed = elapsedMs(state, now);
  const cycle = Math.floor(elapsed / oneCycle);
  if (cycle >= cycles) {
    return { stage: "done", phase: "holdOut", progress: 1, phaseRemainingMs: 0, cycle: cycles - 1, fullness: 0 };
  }
  let into = elapsed - cycle * oneCycle;
  let phase: BreathPhase = "inhale";
  for (const candidate of PHASES) {
    const length = phaseDuration(pattern, candidate);
    phase = candidate;
    if (into < length) break;
    into -= length;
  }
  const length = phaseDuration(pattern, phase);
  const progress = length ? Math.min(1, into / length) : 1;
  const fullness = phase === "inhale" ? ease(progress) : phase === "holdIn" ? 1 : phase === "exhale" ? 1 - ease(progress) : 0;
  const running = state.startedAt !== null && status === "live";
  const stage = running ? "running" : elapsed > 0 ? "paused" : "idle";
  return { stage, phase, progress, phaseRemainingMs: Math.max(0, length - into), cycle, fullness };
}
