"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent, type KeyboardEvent } from "react";
import { errorMessage } from "@/components/errors";
import { CheckCircleIcon, PlusIcon, UsersIcon } from "@/components/icons";
import type { StressState } from "@/components/sessions/timing";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { KindPanel } from "@/components/sessions/KindPanel";
import forms from "@/components/sessions/sessionForms.module.css";
import { Button, cx, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import styles from "./StressPanel.module.css";
import { STRESS_FACTOR_MAX_CHARS, STRESS_LEVEL_MAX, STRESS_LEVEL_MIN } from "@/shared/sessions/limits";

const SUGGESTED = ["work", "deadlines", "sleep", "health", "money", "family", "relationships", "news"];
const MAX_FACTORS = 10;
/** From this level the reporter may ask the group for support (the server's nudge threshold). */
const SUPPORT_LEVEL = 8;

const WORDS = ["", "Calm", "Calm", "Okay", "Okay", "Tense", "Tense", "Stressed", "Very stressed", "Overwhelmed", "Overwhelmed"];

/** Level 1..10 → a hue from green through amber to red (for the bars and the slider's thumb). */
export function levelTone(level: number): "low" | "mid" | "high" {
  return level <= 4 ? "low" : level <= 7 ? "mid" : "high";
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function StressPanel({ sessionId, state, closed }: { sessionId: string; state: StressState; closed: boolean }) {
  const trpc = useTRPC();
  const report = useMutation(trpc.sessions.updateState.mutationOptions());
  const [level, setLevel] = useState(5);
  const [factors, setFactors] = useState<string[]>([]);
  const [custom, setCustom] = useState("");
  const [askForSupport, setAskForSupport] = useState(false);
  const [shared, setShared] = useState<{ level: number; factors: string[]; support: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { aggregate } = state;
  // A session stored before the server withheld small groups lacks these two until its next report.
  const stored: Partial<typeof aggregate> = aggregate;
  const minReports = stored.minReports ?? 3;
  const withheld = stored.withheld ?? aggregate.count < minReports;
  const maxCount = Math.max(1, ...aggregate.distribution);
  const maxFactor = Math.max(1, ...aggregate.topFactors.map((f) => f.count));
  const support = askForSupport && level >= SUPPORT_LEVEL;
  const dirty = !shared || shared.level !== level || shared.factors.join() !== factors.join() || shared.support !== support;

  function toggle(factor: string) {
    setFactors((all) => (all.includes(factor) ? all.filter((f) => f !== factor) : all.length < MAX_FACTORS ? [...all, factor] : all));
  }

  function addCustom() {
    const factor = custom.trim().toLowerCase().slice(0, 40);
    if (factor && !factors.includes(factor) && factors.length < MAX_FACTORS) setFactors((all) => [...all, factor]);
    setCustom("");
  }

  function onCustomKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter") {
      event.preventDefault();
      addCustom();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const sent = { level, factors, support };
    report.mutate(
      { sessionId, kind: "stress", level, factors, askForSupport: support },
      { onSuccess: () => setShared(sent), onError: (err) => setError(errorMessage(err)) },
    );
  }

  const choices = [...SUGGESTED, ...factors.filter((f) => !SUGGESTED.includes(f))];

  return (
    <KindPanel kind="stress">
      <div className={ui.cardHeader}>
        <div className={ui.cardHeaderText}>
          <h2 className={ui.cardTitle} id="panel-title">
            Stress check-in
          </h2>
          <p className={ui.cardDescription}>
            {state.prompt ?? "How stressed do you feel right now?"} Only the group&apos;s picture is shown, never who said what, and only once{" "}
            {minReports} people have checked in.
          </p>
        </div>
      </div>
      <div className={styles.grid}>
        <form className={styles.form} onSubmit={onSubmit} noValidate aria-label="Your check-in">
          <div className={styles.level} data-tone={levelTone(level)}>
            <label htmlFor="stress-level" className={ui.label}>
              Your level
            </label>
            <div className={styles.levelValue}>
              <span className={cx("tabular", styles.levelNumber)} data-testid="my-level">
                {level}
              </span>
              <span className={styles.levelWord}>{WORDS[level]}</span>
            </div>
            <input
              id="stress-level"
              className={styles.slider}
              type="range"
              min={STRESS_LEVEL_MIN}
              max={STRESS_LEVEL_MAX}
              step={1}
              value={level}
              disabled={closed}
              onChange={(e) => setLevel(Number(e.target.value))}
              aria-valuetext={`${level} of 10, ${WORDS[level]}`}
              style={{ "--fill": `${((level - 1) / 9) * 100}%` } as React.CSSProperties}
            />
            <div className={styles.scale} aria-hidden="true">
              <span>1 · calm</span>
              <span>10 · overwhelmed</span>
            </div>
          </div>
          <fieldset className={forms.fieldset}>
            <legend className={ui.label}>What weighs on you?</legend>
            <ChipRow>
              {choices.map((factor) => (
                <Chip key={factor} on={factors.includes(factor)} onClick={() => toggle(factor)} disabled={closed}>
                  {capitalise(factor)}
                </Chip>
              ))}
            </ChipRow>
            <div className={styles.inlineAdd}>
              <input
                className={ui.input}
                placeholder="Something else…"
                aria-label="Another factor"
                maxLength={STRESS_FACTOR_MAX_CHARS}
                value={custom}
                disabled={closed}
                onChange={(e) => setCustom(e.target.value)}
                onKeyDown={onCustomKey}
              />
              <Button size="sm" onClick={addCustom} disabled={!custom.trim() || closed} aria-label="Add factor">
                <PlusIcon size={14} />
              </Button>
            </div>
          </fieldset>
          {level >= SUPPORT_LEVEL ? (
            <label className={forms.checkRow} data-testid="ask-for-support">
              <input type="checkbox" checked={askForSupport} disabled={closed} onChange={(e) => setAskForSupport(e.target.checked)} />
              <span>Let the others know, by name, that I am having a hard time (never my level or factors)</span>
            </label>
          ) : null}
          <div className={cx(ui.formActions, styles.actions)}>
            <Button type="submit" variant="primary" loading={report.isPending} disabled={closed || (!dirty && !!shared)}>
              {shared ? "Update my check-in" : "Share my check-in"}
            </Button>
            {shared && !dirty ? (
              <span className={styles.flash} role="status">
                <CheckCircleIcon size={15} /> Shared with the group
              </span>
            ) : null}
          </div>
          {error ? (
            <p className={ui.fieldError} role="alert">
              {error}
            </p>
          ) : null}
        </form>

        <div className={styles.group} aria-labelledby="group-title" data-testid="stress-group">
          <h3 className={styles.sectionLabel} id="group-title">
            The group right now
          </h3>
          {withheld ? (
            <div className={styles.withheld} data-testid="stress-withheld" role="status">
              <span className={styles.withheldIcon} aria-hidden="true">
                <UsersIcon size={20} />
              </span>
              <p className={styles.withheldTitle}>
                The group&apos;s picture appears once {minReports} people have checked in
              </p>
              <p className="muted">
                With fewer, anyone could work out another person&apos;s answer from it.{" "}
                <span data-testid="stress-progress">
                  {aggregate.count === 0
                    ? "Nobody has checked in yet."
                    : `${aggregate.count} of ${minReports} ${aggregate.count === 1 ? "has" : "have"} checked in so far.`}
                </span>
              </p>
              <div className={styles.withheldDots} aria-hidden="true">
                {Array.from({ length: minReports }, (_, i) => (
                  <span key={i} data-on={i < aggregate.count || undefined} />
                ))}
              </div>
            </div>
          ) : (
            <>
              <div className={styles.mean}>
                <span className={cx(styles.meanValue, "tabular")} data-testid="stress-mean" data-tone={aggregate.mean ? levelTone(aggregate.mean) : undefined}>
                  {aggregate.mean !== null ? aggregate.mean.toFixed(1) : "–"}
                </span>
                <span className={styles.meanCaption} data-testid="stress-mean-caption">
                  average of {aggregate.count} {aggregate.count === 1 ? "check-in" : "check-ins"}
                </span>
              </div>
              <div className={styles.dist} role="img" aria-label={`Distribution: ${aggregate.distribution.map((c, i) => `level ${i + 1}: ${c}`).join(", ")}`}>
                {aggregate.distribution.map((count, i) => (
                  <div key={i} className={styles.distCol} data-tone={levelTone(i + 1)}>
                    <span className={cx(styles.distCount, "tabular")}>{count || ""}</span>
                    <span className={styles.distBar} style={{ height: `${(count / maxCount) * 100}%` }} data-empty={count === 0 || undefined} />
                    <span className={cx(styles.distLabel, "tabular")}>{i + 1}</span>
                  </div>
                ))}
              </div>
              <div>
                <h3 className={styles.sectionLabel}>Top factors</h3>
                {aggregate.topFactors.length ? (
                  <ul className={styles.factorBars} data-testid="top-factors">
                    {aggregate.topFactors.map(({ factor, count }) => (
                      <li key={factor}>
                        <span className={styles.factorName}>{capitalise(factor)}</span>
                        <span className={styles.factorTrack}>
                          <span className={styles.factorFill} style={{ width: `${(count / maxFactor) * 100}%` }} />
                        </span>
                        <span className={cx(styles.factorCount, "tabular")}>{count}</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className={cx("subtle", styles.noFactors)}>
                    Nobody has named a factor yet.
                  </p>
                )}
              </div>
            </>
          )}
        </div>
      </div>
    </KindPanel>
  );
}
