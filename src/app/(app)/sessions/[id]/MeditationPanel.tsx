"use client";
import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { disableSound, enableSound, ring, soundEnabled, subscribeSound } from "@/components/sessions/bell";
import type { SessionStatus } from "@/components/sessions/kinds";
import { BellIcon, BellOffIcon } from "@/components/sessions/SessionIcons";
import { elapsedMs, formatCountdown, formatSpan, type MeditationState } from "@/components/sessions/timing";
import { serverNow, useServerClock } from "@/components/sessions/useServerClock";
import { KindPanel } from "@/components/sessions/KindPanel";
import { Button, CardHeader, cx } from "@/components/ui";
import styles from "./MeditationPanel.module.css";

const RADIUS = 108;
const CIRCUMFERENCE = 2 * Math.PI * RADIUS;
/** Re-render this long after a second boundary, safely past it. */
const FLIP_SLACK_MS = 4;

/** The person's sound switch (browsers need a click before a page may play sound). */
export function SoundToggle() {
  const on = useSyncExternalStore(subscribeSound, soundEnabled, () => false);
  return (
    <Button
      size="sm"
      variant={on ? "secondary" : "ghost"}
      onClick={() => void (on ? disableSound() : enableSound())}
      aria-pressed={on}
      title={on ? "Bells play on this device" : "Bells are silent on this device"}
    >
      {on ? <BellIcon size={15} /> : <BellOffIcon size={15} />}
      {on ? "Sound on" : "Turn on sound"}
    </Button>
  );
}

/**
 * When the next bell rings, in words: "in 0:24" while the timer runs, "30 s after the start"
 * before it, "0:24 after resuming" while paused, "at the end" when the last interval bell has
 * rung (or there is none), "—" once it is over.
 */
function nextBellText(state: MeditationState, status: SessionStatus, elapsed: number, done: boolean): string {
  if (done || status === "ended") return "—";
  const interval = state.bellIntervalMs;
  const remaining = state.durationMs - elapsed;
  const untilBell = interval ? interval - (elapsed % interval) : null;
  if (untilBell === null || untilBell >= remaining) return "at the end";
  if (status === "scheduled") return `${formatSpan(untilBell)} after the start`;
  if (status === "paused") return `${formatCountdown(untilBell)} after resuming`;
  return `in ${formatCountdown(untilBell)}`;
}

export function MeditationPanel({
  state,
  status,
  lastTimer,
}: {
  state: MeditationState;
  status: SessionStatus;
  lastTimer: { action: string; id: string } | null;
}) {
  const clock = useServerClock();
  const [now, setNow] = useState(() => serverNow());
  const previous = useRef<number | null>(null);
  const running = state.startedAt !== null && status === "live";

  // The countdown is derived from server time, never counted down. While it runs, re-render
  // just after each whole second of remaining time, so every client flips on the same instant
  // (within the clock estimate's error), not on its own interval's phase.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const t = serverNow();
      setNow(t);
      const remaining = Math.max(0, state.durationMs - elapsedMs(state, t));
      if (!running || remaining <= 0) return;
      timer = setTimeout(tick, ((remaining - 1) % 1000) + 1 + FLIP_SLACK_MS);
    };
    tick();
    return () => clearTimeout(timer);
  }, [running, state, clock.offsetMs]);

  const elapsed = elapsedMs(state, now);
  const remaining = Math.max(0, state.durationMs - elapsed);
  const done = remaining === 0 && elapsed > 0;

  // Bells: at each interval of elapsed time, and three at the end, as they are crossed live.
  useEffect(() => {
    const before = previous.current;
    previous.current = elapsed;
    if (before === null || !running || elapsed <= before) return;
    if (before < state.durationMs && elapsed >= state.durationMs) {
      ring(3);
      return;
    }
    const interval = state.bellIntervalMs;
    if (interval && Math.floor(elapsed / interval) > Math.floor(before / interval) && elapsed < state.durationMs) ring(1);
  }, [elapsed, running, state.durationMs, state.bellIntervalMs]);

  // One bell to open the sit when the host starts it (not when a past start is loaded).
  useEffect(() => {
    if (lastTimer?.action === "start") ring(1);
  }, [lastTimer]);

  const progress = Math.min(1, elapsed / state.durationMs);
  const synced = clock.ready || !running;
  const caption = done
    ? "Complete"
    : status === "ended"
      ? "Session ended"
      : running
        ? "remaining"
        : status === "paused"
          ? "Paused"
          : elapsed > 0
            ? "Stopped"
            : "Waiting for the host";
  const bells = state.bellIntervalMs ? Math.floor((state.durationMs - 1) / state.bellIntervalMs) : 0;
  const nextBell = nextBellText(state, status, elapsed, done);

  return (
    <KindPanel kind="meditation">
      <CardHeader
        titleId="panel-title"
        title="Meditation timer"
        description={`${formatSpan(state.durationMs)} sit${state.bellIntervalMs ? `, a bell every ${formatSpan(state.bellIntervalMs)}` : ""}. Everyone sees the same time.`}
        actions={<SoundToggle />}
      />
      <div className={styles.stage} data-running={running || undefined} data-done={done || undefined}>
        <div className={styles.ring}>
          <svg viewBox="0 0 240 240" aria-hidden="true">
            <circle className={styles.track} cx="120" cy="120" r={RADIUS} />
            <circle
              className={styles.progress}
              cx="120"
              cy="120"
              r={RADIUS}
              strokeDasharray={CIRCUMFERENCE}
              strokeDashoffset={CIRCUMFERENCE * (1 - progress)}
            />
            {Array.from({ length: bells }, (_, i) => {
              const angle = (((i + 1) * state.bellIntervalMs!) / state.durationMs) * 2 * Math.PI;
              const passed = elapsed >= (i + 1) * state.bellIntervalMs!;
              return (
                <circle
                  key={i}
                  className={styles.bellMark}
                  data-passed={passed || undefined}
                  cx={120 + RADIUS * Math.cos(angle)}
                  cy={120 + RADIUS * Math.sin(angle)}
                  r="4"
                />
              );
            })}
          </svg>
          <div className={styles.center}>
            <span className={cx(styles.count, "tabular")} data-testid="countdown" role="timer" aria-live="off" aria-label={`${formatCountdown(remaining)} remaining`}>
              {synced ? formatCountdown(remaining) : "–:––"}
            </span>
            <span className={styles.caption}>{caption}</span>
            {/* The countdown is not announced each second; its end is, once. */}
            <span className="sr-only" role="status">
              {done ? "The meditation is complete." : ""}
            </span>
          </div>
        </div>
        <dl className={styles.facts}>
          <div>
            <dt>Elapsed</dt>
            <dd className="tabular">{formatCountdown(Math.min(elapsed, state.durationMs))}</dd>
          </div>
          <div>
            <dt>Next bell</dt>
            <dd className="tabular" data-testid="next-bell">
              {nextBell}
            </dd>
          </div>
          <div>
            <dt>Clock</dt>
            <dd className="tabular" title="This device's clock, corrected to the server's">
              {clock.ready ? `synced ±${Math.max(1, Math.round((clock.rttMs ?? 0) / 2))} ms` : "syncing…"}
            </dd>
          </div>
        </dl>
      </div>
    </KindPanel>
  );
}
