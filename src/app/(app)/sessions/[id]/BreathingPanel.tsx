"use client";
import { useEffect, useRef, useState } from "react";
import { KindPanel } from "@/components/sessions/KindPanel";
import type { SessionStatus } from "@/components/sessions/kinds";
import { SlidersIcon } from "@/components/sessions/SessionIcons";
import { breathAt, formatSeconds, PHASE_LABEL, PHASE_SHORT, PHASES, phaseDuration, type BreathMoment, type BreathingState } from "@/components/sessions/timing";
import { serverNow, useServerClock } from "@/components/sessions/useServerClock";
import { Button, CardHeader, cx, ui } from "@/components/ui";
import styles from "./BreathingPanel.module.css";
import { PatternForm } from "./PatternForm";

const MIN_SCALE = 0.42;

export function BreathingPanel({
  sessionId,
  state,
  status,
  isHost,
}: {
  sessionId: string;
  state: BreathingState;
  status: SessionStatus;
  isHost: boolean;
}) {
  const clock = useServerClock();
  const circle = useRef<HTMLDivElement>(null);
  const fill = useRef<HTMLSpanElement>(null);
  const [moment, setMoment] = useState<BreathMoment>(() => breathAt(state, serverNow(), status));
  const [editing, setEditing] = useState(false);
  const { pattern } = state;
  const cycleMs = pattern.inhaleMs + pattern.holdInMs + pattern.exhaleMs + pattern.holdOutMs;

  // Every frame: the circle's size from the shared start instant and server time. React only
  // re-renders when the phase, its whole seconds or the cycle change.
  useEffect(() => {
    let frame = 0;
    let last = "";
    const tick = () => {
      const m = breathAt(state, serverNow(), status);
      const scale = MIN_SCALE + (1 - MIN_SCALE) * m.fullness;
      if (circle.current) circle.current.style.transform = `scale(${scale.toFixed(4)})`;
      if (fill.current) fill.current.style.transform = `scaleX(${m.stage === "idle" ? 0 : m.progress.toFixed(4)})`;
      const key = `${m.stage}|${m.phase}|${m.cycle}|${Math.ceil(m.phaseRemainingMs / 1000)}`;
      if (key !== last) {
        last = key;
        setMoment(m);
      }
      if (m.stage === "running") frame = requestAnimationFrame(tick);
    };
    tick();
    return () => cancelAnimationFrame(frame);
  }, [state, status, clock.offsetMs]);

  const running = moment.stage === "running";
  const endedEarly = status === "ended" && moment.stage !== "done";
  const headline =
    moment.stage === "done" ? "Well done" : endedEarly ? "Session ended" : moment.stage === "idle" ? "Ready" : PHASE_LABEL[moment.phase];
  const sub =
    moment.stage === "done"
      ? `${state.cycles} ${state.cycles === 1 ? "cycle" : "cycles"} complete`
      : endedEarly
        ? "Thank you for breathing together"
        : moment.stage === "idle"
          ? "The host starts the exercise"
          : moment.stage === "paused"
            ? "Paused"
            : `${Math.ceil(moment.phaseRemainingMs / 1000)}`;

  // What a screen reader hears: the phase and how long it lasts, once when it begins (with the
  // cycle at each inhale), and the stage changes; never the per-second count.
  const announcement =
    moment.stage === "running"
      ? `${moment.phase === "inhale" ? `Cycle ${moment.cycle + 1} of ${state.cycles}. ` : ""}${PHASE_LABEL[moment.phase]}, ${formatSeconds(phaseDuration(pattern, moment.phase))} seconds.`
      : moment.stage === "paused"
        ? endedEarly
          ? "Session ended."
          : "Paused."
        : moment.stage === "done"
          ? "Well done: every cycle is complete."
          : "";

  return (
    <KindPanel kind="breathing">
      <CardHeader
        titleId="panel-title"
        title="Breathing guide"
        description="Follow the circle: it grows as you breathe in and shrinks as you breathe out. Everyone is on the same beat."
        actions={
          isHost && status !== "ended" && !editing ? (
            <Button size="sm" onClick={() => setEditing(true)}>
              <SlidersIcon size={15} />
              Change pattern
            </Button>
          ) : null
        }
      />
      {editing ? (
        <div className={cx(ui.cardBody, styles.patternBody)}>
          <PatternForm sessionId={sessionId} state={state} onDone={() => setEditing(false)} />
        </div>
      ) : null}
      <div className={styles.stage} data-testid="breath-stage" data-stage={moment.stage} data-phase={moment.phase}>
        <div className={styles.orbit} aria-hidden="true">
          <div className={styles.guide} />
          <div className={styles.circle} ref={circle} />
        </div>
        {/* Seen, not announced: the seconds change every second. The live region below speaks once per phase. */}
        <div className={styles.center} data-testid="breath-phase">
          <span className={styles.word}>{headline}</span>
          <span className={cx(styles.sub, running && cx("tabular", styles.seconds))}>{sub}</span>
        </div>
        <span className="sr-only" role="status" data-testid="breath-announcer">
          {announcement}
        </span>
      </div>
      <div className={styles.foot}>
        <div className={styles.strip} aria-label="Pattern">
          {PHASES.filter((phase) => phaseDuration(pattern, phase) > 0).map((phase) => {
            const current = (running || moment.stage === "paused") && moment.phase === phase;
            return (
              <div
                key={phase}
                className={cx(styles.seg, current && styles.segOn)}
                style={{ flexGrow: phaseDuration(pattern, phase) / cycleMs }}
                aria-current={current || undefined}
              >
                <span className={styles.segBar}>{current ? <span className={styles.segFill} ref={fill} /> : null}</span>
                <span className={styles.segLabel}>
                  {PHASE_SHORT[phase]} <span className="subtle tabular">{formatSeconds(phaseDuration(pattern, phase))} s</span>
                </span>
              </div>
            );
          })}
        </div>
        <span className={cx(styles.cycle, "tabular")} data-testid="breath-cycle">
          {moment.stage === "idle" ? `${state.cycles} cycles` : `Cycle ${Math.min(moment.cycle + 1, state.cycles)} of ${state.cycles}`}
        </span>
      </div>
    </KindPanel>
  );
}
