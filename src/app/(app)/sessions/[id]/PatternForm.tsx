"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import forms from "@/components/sessions/sessionForms.module.css";
import { formatSeconds, PHASE_SHORT, PHASES, type BreathingState } from "@/components/sessions/timing";
import { Button, ErrorRegion, Field, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import styles from "./PatternForm.module.css";
import { CYCLES_MAX, CYCLES_MIN, PHASE_MAX_MS } from "@/shared/sessions/limits";

const PRESETS: { name: string; seconds: [number, number, number, number] }[] = [
  { name: "Box", seconds: [4, 4, 4, 4] },
  { name: "4-7-8", seconds: [4, 7, 8, 0] },
  { name: "Coherent", seconds: [5, 0, 5, 0] },
];

/** The host changes the breathing pattern for everyone; a running exercise restarts. */
export function PatternForm({ sessionId, state, onDone }: { sessionId: string; state: BreathingState; onDone(): void }) {
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
    <form className={styles.form} onSubmit={onSubmit} noValidate aria-label="Change the breathing pattern">
      <ErrorRegion message={error.message} />
      <ChipRow role="group" aria-label="Patterns">
        {PRESETS.map((preset) => {
          const active = preset.seconds.every((s, i) => Number(phases[i]) === s);
          return (
            <Chip key={preset.name} on={active} onClick={() => setPhases(preset.seconds.map(String))}>
              {preset.name} <span className="subtle">{preset.seconds.join("·")}</span>
            </Chip>
          );
        })}
      </ChipRow>
      <div className={forms.phaseInputs}>
        {PHASES.map((phase, i) => (
          <Field
            key={phase}
            label={`${phase === "holdIn" ? "Hold (full)" : phase === "holdOut" ? "Hold (empty)" : PHASE_SHORT[phase]} (s)`}
            type="number"
            inputMode="decimal"
            min={0}
            max={PHASE_MAX_MS / 1000}
            step="any"
            value={phases[i]}
            onChange={(e) => setPhases((all) => all.map((v, j) => (j === i ? e.target.value : v)))}
          />
        ))}
        <Field label="Cycles" type="number" inputMode="numeric" min={CYCLES_MIN} max={CYCLES_MAX} value={cycles} onChange={(e) => setCycles(e.target.value)} error={error.fields.cycles} />
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
