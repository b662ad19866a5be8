import { describe, expect, it } from "vitest";
import type { BreathingState, MeditationState, SessionState } from "@/shared/sessions/state";
import {
  applyTimer,
  breathAt,
  changeBreathing,
  cycleMs,
  elapsedMs,
  msUntilComplete,
  remainingMs,
  timerComplete,
  totalMs,
} from "@/shared/sessions/timer";

const idle = { startedAt: null, pausedAt: null, elapsedBeforePauseMs: 0 };
const meditation: MeditationState = { kind: "meditation", ...idle, durationMs: 60_000, bellIntervalMs: null };
const pattern = { inhaleMs: 4_000, holdInMs: 2_000, exhaleMs: 4_000, holdOutMs: 0 };
const breathing: BreathingState = { kind: "breathing", ...idle, pattern, cycles: 3 };

describe("the timer arithmetic", () => {
  it("counts elapsed time from the start instant plus what ran before a pause", () => {
    expect(elapsedMs(meditation, 5_000)).toBe(0);
    expect(elapsedMs({ startedAt: 1_000, elapsedBeforePauseMs: 500 }, 4_000)).toBe(3_500);
    // A start instant ahead of `now` (another instance's clock) counts as nothing yet.
    expect(elapsedMs({ startedAt: 9_000, elapsedBeforePauseMs: 500 }, 4_000)).toBe(500);
  });

  it("start, pause, resume and end move instants, never count down", () => {
    const started = applyTimer(meditation, "start", 1_000) as MeditationState;
    expect(started).toMatchObject({ startedAt: 1_000, pausedAt: null, elapsedBeforePauseMs: 0 });
    expect(remainingMs(started, 11_000)).toBe(50_000);
    const paused = applyTimer(started, "pause", 21_000) as MeditationState;
    expect(paused).toMatchObject({ startedAt: null, pausedAt: 21_000, elapsedBeforePauseMs: 20_000 });
    expect(remainingMs(paused, 99_000)).toBe(40_000);
    const resumed = applyTimer(paused, "resume", 30_000) as MeditationState;
    expect(resumed).toMatchObject({ startedAt: 30_000, pausedAt: null, elapsedBeforePauseMs: 20_000 });
    expect(elapsedMs(resumed, 35_000)).toBe(25_000);
    const ended = applyTimer(resumed, "end", 40_000) as MeditationState;
    expect(ended).toMatchObject({ startedAt: null, pausedAt: null, elapsedBeforePauseMs: 30_000 });
    expect(remainingMs(ended, 1e9)).toBe(30_000);
  });

  it("leaves kinds without a timer as they are", () => {
    const doc: SessionState = { kind: "collaboration" };
    expect(applyTimer(doc, "start", 1)).toBe(doc);
    expect(totalMs(doc)).toBeNull();
    expect(timerComplete(doc, "live", 1e12)).toBe(false);
  });

  it("knows when a timed session is complete and how long until it is", () => {
    const running = applyTimer(breathing, "start", 0);
    expect(cycleMs(pattern)).toBe(10_000);
    expect(totalMs(running)).toBe(30_000);
    expect(timerComplete(running, "live", 29_999)).toBe(false);
    expect(msUntilComplete(running, "live", 29_000)).toBe(1_000);
    expect(timerComplete(running, "live", 30_000)).toBe(true);
    expect(msUntilComplete(running, "live", 30_000)).toBeNull();
    // Not while scheduled or ended, and no countdown while paused.
    expect(timerComplete(running, "ended", 40_000)).toBe(false);
    const paused = applyTimer(running, "pause", 31_000);
    expect(timerComplete(paused, "paused", 31_000)).toBe(true);
    expect(msUntilComplete(applyTimer(running, "pause", 5_000), "paused", 6_000)).toBeNull();
  });

  it("restarts a running exercise from the change, and keeps a paused one paused", () => {
    const running = applyTimer(breathing, "start", 0) as BreathingState;
    const changed = changeBreathing(running, { cycles: 5 }, 12_000);
    expect(changed).toMatchObject({ cycles: 5, pattern, startedAt: 12_000, pausedAt: null, elapsedBeforePauseMs: 0 });
    const paused = applyTimer(running, "pause", 3_000) as BreathingState;
    const changedPaused = changeBreathing(paused, { pattern: { ...pattern, holdOutMs: 1_000 } }, 9_000);
    expect(changedPaused).toMatchObject({ startedAt: null, pausedAt: 3_000, elapsedBeforePauseMs: 0 });
    expect(changedPaused.pattern.holdOutMs).toBe(1_000);
  });
});

describe("breathAt", () => {
  const running = applyTimer(breathing, "start", 0) as BreathingState;

  it("is idle before the start", () => {
    expect(breathAt(breathing, 1_000, "scheduled")).toMatchObject({ stage: "idle", phase: "inhale", cycle: 0, fullness: 0 });
  });

  it("walks the phases of each cycle", () => {
    expect(breathAt(running, 2_000, "live")).toMatchObject({ stage: "running", phase: "inhale", progress: 0.5, phaseRemainingMs: 2_000, cycle: 0 });
    expect(breathAt(running, 5_000, "live")).toMatchObject({ phase: "holdIn", fullness: 1, phaseRemainingMs: 1_000 });
    expect(breathAt(running, 8_000, "live")).toMatchObject({ phase: "exhale", progress: 0.5 });
    // A hold of 0 ms is skipped: the next cycle's inhale follows the exhale.
    expect(breathAt(running, 10_000, "live")).toMatchObject({ phase: "inhale", progress: 0, cycle: 1 });
  });

  it("is paused while paused, and done after the last cycle", () => {
    const paused = applyTimer(running, "pause", 12_000) as BreathingState;
    expect(breathAt(paused, 50_000, "paused")).toMatchObject({ stage: "paused", phase: "inhale", cycle: 1 });
    expect(breathAt(running, 30_000, "live")).toEqual({ stage: "done", phase: "holdOut", progress: 1, phaseRemainingMs: 0, cycle: 2, fullness: 0 });
  });
});
