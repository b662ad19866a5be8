/**
 * What a session's shared state looks like at a given server instant, in the browser. The
 * arithmetic is the server's own (src/shared/sessions/timer.ts): given the state and the server's
 * time (the local clock plus its measured offset), every client computes the same remaining time
 * and the same breathing phase. What is here is how a page words it.
 */
import type { BreathPhase } from "@/shared/sessions/timer";

export type {
  BreathingPattern,
  BreathingState,
  MeditationState,
  SessionState,
  StressState,
} from "@/shared/sessions/state";
export {
  breathAt,
  elapsedMs,
  msUntilComplete,
  PHASES,
  phaseDuration,
  remainingMs,
  timerComplete,
  type BreathMoment,
  type BreathPhase,
} from "@/shared/sessions/timer";

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
