/**
 * What a session's shared state looks like at a given server instant, in the browser. The same
 * rules as the server's (timers hold instants, never countdowns): given the state and the
 * server's time (the local clock plus its measured offset), every client computes the same
 * remaining time and the same breathing phase.
 */
import type { RouterOutputs } from "../../trpc/types";

export type SessionState = RouterOutputs["sessions"]["byId"]["state"];
export type MeditationState = Extract<SessionState, { kind: "meditation" }>;
export type BreathingState = Extract<SessionState, { kind: "breathing" }>;
export type StressState = Extract<SessionState, { kind: "stress" }>;
export type BreathingPattern = BreathingState["pattern"];

interface TimerFields {
  startedAt: number | null;
  elapsedBeforePauseMs: number;
}

/** Elapsed running time at server time `now`. */
export function elapsedMs(state: TimerFields, now: number): number {
  return state.elapsedBeforePauseMs + (state.startedAt !== null ? Math.max(0, now - state.startedAt) : 0);
}

export function remainingMs(state: MeditationState, now: number): number {
  return Math.max(0, state.durationMs - elapsedMs(state, now));
}

/**
 * True once a timed session's timer has run out at server time `now` (a meditation at 0:00, a
 * breathing exercise after its last cycle) while the session is still open: the server keeps it
 * live until the host ends it, but what people see is done.
 */
export function timerComplete(state: SessionState, status: string, now: number): boolean {
  if (status !== "live" && status !== "paused") return false;
  if (state.kind === "meditation") return elapsedMs(state, now) >= state.durationMs;
  if (state.kind === "breathing") {
    const { inhaleMs, holdInMs, exhaleMs, holdOutMs } = state.pattern;
    return elapsedMs(state, now) >= (inhaleMs + holdInMs + exhaleMs + holdOutMs) * state.cycles;
  }
  return false;
}

/** Server ms until `timerComplete` turns true while the timer runs; null if it is not running or already done. */
export function msUntilComplete(state: SessionState, status: string, now: number): number | null {
  if (status !== "live" || (state.kind !== "meditation" && state.kind !== "breathing") || state.startedAt === null) return null;
  const totalMs =
    state.kind === "meditation"
      ? state.durationMs
      : (state.pattern.inhaleMs + state.pattern.holdInMs + state.pattern.exhaleMs + state.pattern.holdOutMs) * state.cycles;
  const left = totalMs - elapsedMs(state, now);
  return left > 0 ? left : null;
}

/** 125_400 ms → "2:06" (whole seconds rounded up, so 0:00 means done); an hour or more → "1:02:06". */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** 600_000 → "10 min", 90_000 → "1 min 30 s", 45_000 → "45 s". */
export function formatSpan(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (!m) return `${s} s`;
  if (m >= 60 && !s) {
    const h = Math.floor(m / 60);
    return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  }
  return s ? `${m} min ${s} s` : `${m} min`;
}

/** 4000 → "4", 1500 → "1.5" (seconds). */
export function formatSeconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toLocaleString("en", { maximumFractionDigits: 1 });
}

export type BreathPhase = "inhale" | "holdIn" | "exhale" | "holdOut";

export const PHASE_LABEL: Record<BreathPhase, string> = {
  inhale: "Breathe in",
  holdIn: "Hold",
  exhale: "Breathe out",
  holdOut: "Hold",
};

export const PHASE_SHORT: Record<BreathPhase, string> = {
  inhale: "Inhale",
  holdIn: "Hold",
  exhale: "Exhale",
  holdOut: "Hold",
};

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

export const PHASES: BreathPhase[] = ["inhale", "holdIn", "exhale", "holdOut"];

export function phaseDuration(pattern: BreathingPattern, phase: BreathPhase): number {
  return { inhale: pattern.inhaleMs, holdIn: pattern.holdInMs, exhale: pattern.exhaleMs, holdOut: pattern.holdOutMs }[phase];
}

const ease = (t: number) => 0.5 - Math.cos(Math.PI * Math.min(1, Math.max(0, t))) / 2;

/**
 * Where the group is in the exercise at server time `now`: cycle = floor(elapsed / cycleMs),
 * done once cycle >= cycles; the phase is where elapsed mod cycleMs falls.
 */
export function breathAt(state: BreathingState, now: number, status: string): BreathMoment {
  const { pattern, cycles } = state;
  const cycleMs = pattern.inhaleMs + pattern.holdInMs + pattern.exhaleMs + pattern.holdOutMs;
  const elapsed = elapsedMs(state, now);
  const cycle = Math.floor(elapsed / cycleMs);
  if (cycle >= cycles) {
    return { stage: "done", phase: "holdOut", progress: 1, phaseRemainingMs: 0, cycle: cycles - 1, fullness: 0 };
  }
  let into = elapsed - cycle * cycleMs;
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
