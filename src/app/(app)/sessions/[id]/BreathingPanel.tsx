"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "../../../../components/errors";
import type { SessionStatus } from "../../../../components/sessions/kinds";
import { SlidersIcon } from "../../../../components/sessions/SessionIcons";
import {
  breathAt,
  formatSeconds,
  PHASE_LABEL,
  PHASE_SHORT,
  PHASES,
  phaseDuration,
  type BreathMoment,
  type BreathingState,
} from "../../../../components/sessions/timing";
import { serverNow, useServerClock } from "../../../../components/sessions/useServerClock";
import { Button, CardHeader, ErrorRegion, Field, cx, ui } from "../../../../components/ui";
import { useTRPC } from "../../../../trpc/react";

const MIN_SCALE = 0.42;

const PRESETS: { name: string; seconds: [number, number, number, number] }[] = [
  { name: "Box", seconds: [4, 4, 4, 4] },
  { name: "4-7-8", seconds: [4, 7, 8, 0] },
  { name: "Coherent", seconds: [5, 0, 5, 0] },
];

function PatternForm({ sessionId, state, onDone }: { sessionId: string; state: BreathingState; onDone(): void }) {
  const trpc = useTRPC();
  const update = useMutation(trpc.sessions.updateState.mutationOptions());
  const p = state.pattern;
  const [phases, setPhases] = useState([p.inhaleMs, p.holdInMs, p.exhaleMs, p.holdOutMs].map((ms) => formatSeconds(ms)));
  const [cycles, setCycles] = useState(String(state.cycles));
  const [error, setError] = useState<FormError>(NO_ERROR);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    const [inhaleMs, holdInMs, exhaleMs, holdOutMs] = phases.map((s) => Math.round(Number(s.replace(",", ".") || 0) * 1000)) as [number, number, number, number];
    update.mutate(
      { sessionId, kind: "breathing", pattern: { inhaleMs, holdInMs, exhaleMs, holdOutMs }, cycles: Math.round(Number(cycles)) },
      { onSuccess: onDone, onError: (err) => setError(toFormError(err)) },
    );
  }

  return (
    <form className="pattern-form" onSubmit={onSubmit} noValidate aria-label="Change the breathing pattern">
      <ErrorRegion message={error.message} />
      <div className="preset-row" role="group" aria-label="Patterns">
        {PRESETS.map((preset) => {
          const active = preset.seconds.every((s, i) => Number(phases[i]) === s);
          return (
            <button key={preset.name} type="button" className={cx("chip", active && "chip-on")} aria-pressed={active} onClick={() => setPhases(preset.seconds.map(String))}>
              {preset.name} <span className="subtle">{preset.seconds.join("·")}</span>
            </button>
          );
        })}
      </div>
      <div className="phase-inputs">
        {PHASES.map((phase, i) => (
          <Field
            key={phase}
            label={`${phase === "holdIn" ? "Hold (full)" : phase === "holdOut" ? "Hold (empty)" : PHASE_SHORT[phase]} (s)`}
            type="number"
            inputMode="decimal"
            min={0}
            max={60}
            step="any"
            value={phases[i]}
            onChange={(e) => setPhases((all) => all.map((v, j) => (j === i ? e.target.value : v)))}
          />
        ))}
        <Field label="Cycles" type="number" inputMode="numeric" min={1} max={500} value={cycles} onChange={(e) => setCycles(e.target.value)} error={error.fields.cycles} />
      </div>
      <div className={ui.formActions}>
        <Button type="submit" variant="primary" size="sm" loading={update.isPending}>
          Apply to everyone
        </Button>
        <Button size="sm" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
        <span className={ui.hint}>A running exercise restarts from “breathe in”.</span>
      </div>
    </form>
  );
}

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
    <section className={cx(ui.card, "kind-panel")} data-kind="breathing" aria-labelledby="panel-title">
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
        <div className={ui.cardBody} style={{ paddingBottom: 0 }}>
          <PatternForm sessionId={sessionId} state={state} onDone={() => setEditing(false)} />
        </div>
      ) : null}
      <div className="breath-stage" data-stage={moment.stage} data-phase={moment.phase}>
        <div className="breath-orbit" aria-hidden="true">
          <div className="breath-guide" />
          <div className="breath-circle" ref={circle} />
        </div>
        {/* Seen, not announced: the seconds change every second. The live region below speaks once per phase. */}
        <div className="breath-center" data-testid="breath-phase">
          <span className="breath-word">{headline}</span>
          <span className={cx("breath-sub", running && "tabular breath-seconds")}>{sub}</span>
        </div>
        <span className="sr-only" role="status" data-testid="breath-announcer">
          {announcement}
        </span>
      </div>
      <div className="breath-foot">
        <div className="phase-strip" aria-label="Pattern">
          {PHASES.filter((phase) => phaseDuration(pattern, phase) > 0).map((phase) => {
            const current = (running || moment.stage === "paused") && moment.phase === phase;
            return (
              <div
                key={phase}
                className={cx("phase-seg", current && "phase-seg-on")}
                style={{ flexGrow: phaseDuration(pattern, phase) / cycleMs }}
                aria-current={current || undefined}
              >
                <span className="phase-seg-bar">{current ? <span className="phase-seg-fill" ref={fill} /> : null}</span>
                <span className="phase-seg-label">
                  {PHASE_SHORT[phase]} <span className="subtle tabular">{formatSeconds(phaseDuration(pattern, phase))} s</span>
                </span>
              </div>
            );
          })}
        </div>
        <span className="breath-cycle tabular" data-testid="breath-cycle">
          {moment.stage === "idle" ? `${state.cycles} cycles` : `Cycle ${Math.min(moment.cycle + 1, state.cycles)} of ${state.cycles}`}
        </span>
      </div>
    </section>
  );
}
