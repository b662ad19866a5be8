import { Chip, ChipRow } from "@/components/sessions/Chip";
import { KIND, KindMark, kindClass } from "@/components/sessions/kinds";
import forms from "@/components/sessions/sessionForms.module.css";
import { Field, cx, ui } from "@/components/ui";
import { PHASE_FIELDS, PHASE_KEYS, PRESETS, type Draft } from "./createDraft";
import styles from "./KindSettings.module.css";
import { CYCLES_MAX, CYCLES_MIN, MEDITATION_MAX_MS, MEDITATION_MIN_MS, MINUTE_MS, PHASE_MAX_MS, STRESS_PROMPT_MAX_CHARS } from "@/shared/sessions/limits";

/**
 * The create dialog's settings for the chosen kind: a meditation's duration and bell, a breathing
 * pattern, a check-in's question. `invalid` and `describedBy` mark the setting the server refused.
 */
export function KindSettings({
  draft,
  set,
  error,
  errorId,
  invalid,
  describedBy,
}: {
  draft: Draft;
  set<K extends keyof Draft>(key: K, value: Draft[K]): void;
  /** The server's refusal of a setting, shown under them all. */
  error: string | undefined;
  errorId: string | undefined;
  invalid(field: string): true | undefined;
  describedBy(field: string): string | undefined;
}) {
  return (
    <div className={cx(styles.settings, kindClass)} data-kind={draft.kind} data-invalid={error ? true : undefined}>
      <div className={styles.head}>
        <KindMark kind={draft.kind} size="sm" />
        <span className={ui.label}>{KIND[draft.kind].label} settings</span>
      </div>
      {draft.kind === "meditation" ? (
        <div className={ui.formRow}>
          <Field
            label="Duration (minutes)"
            name="durationMin"
            type="number"
            inputMode="decimal"
            min={MEDITATION_MIN_MS / MINUTE_MS}
            max={MEDITATION_MAX_MS / MINUTE_MS}
            step="any"
            value={draft.durationMin}
            onChange={(e) => set("durationMin", e.target.value)}
            aria-invalid={invalid("durationMs")}
            aria-describedby={describedBy("durationMs")}
          />
          <div className={ui.field}>
            <label className={forms.checkRow}>
              <input type="checkbox" checked={draft.bell} onChange={(e) => set("bell", e.target.checked)} />
              <span className={ui.label}>Interval bell, every (minutes)</span>
            </label>
            <input
              className={ui.input}
              type="number"
              inputMode="decimal"
              min={0.5}
              step="any"
              aria-label="Bell interval (minutes)"
              aria-invalid={draft.bell ? invalid("bellIntervalMs") : undefined}
              aria-describedby={draft.bell ? describedBy("bellIntervalMs") : undefined}
              disabled={!draft.bell}
              value={draft.bellMin}
              onChange={(e) => set("bellMin", e.target.value)}
            />
          </div>
        </div>
      ) : null}
      {draft.kind === "breathing" ? (
        <div className={cx(ui.form, styles.breathing)}>
          <ChipRow role="group" aria-label="Patterns">
            {PRESETS.map((preset) => {
              const active = preset.seconds.every((s, i) => Number(draft.phases[i]) === s);
              return (
                <Chip key={preset.name} on={active} onClick={() => set("phases", preset.seconds.map(String) as Draft["phases"])}>
                  {preset.name} <span className="subtle">{preset.seconds.join("·")}</span>
                </Chip>
              );
            })}
          </ChipRow>
          <div className={forms.phaseInputs}>
            {PHASE_FIELDS.map((label, i) => (
              <Field
                key={label}
                label={`${label} (s)`}
                type="number"
                inputMode="decimal"
                min={0}
                max={PHASE_MAX_MS / 1000}
                step="any"
                value={draft.phases[i]}
                aria-invalid={invalid(`pattern.${PHASE_KEYS[i]}`)}
                aria-describedby={describedBy(`pattern.${PHASE_KEYS[i]}`)}
                onChange={(e) => {
                  const phases = [...draft.phases] as Draft["phases"];
                  phases[i] = e.target.value;
                  set("phases", phases);
                }}
              />
            ))}
            <Field
              label="Cycles"
              type="number"
              inputMode="numeric"
              min={CYCLES_MIN}
              max={CYCLES_MAX}
              value={draft.cycles}
              onChange={(e) => set("cycles", e.target.value)}
              aria-invalid={invalid("cycles")}
              aria-describedby={describedBy("cycles")}
            />
          </div>
        </div>
      ) : null}
      {draft.kind === "stress" ? (
        <Field
          label="Question for the group"
          name="prompt"
          placeholder="How are you feeling right now?"
          maxLength={STRESS_PROMPT_MAX_CHARS}
          value={draft.prompt}
          onChange={(e) => set("prompt", e.target.value)}
          hint="Optional. Everyone answers with a level from 1 to 10 and what weighs on them."
        />
      ) : null}
      {draft.kind === "collaboration" ? (
        <p className={cx("muted", styles.note)}>
          Everyone in the room edits one shared document at the same time; nobody&apos;s keystrokes are lost. Late joiners get the
          whole document.
        </p>
      ) : null}
      {error ? (
        <p className={ui.fieldError} id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
