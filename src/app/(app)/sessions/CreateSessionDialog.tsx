"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { NO_ERROR, toFormError, type FormError } from "../../../components/errors";
import { GlobeIcon, LockIcon, PlusIcon } from "../../../components/icons";
import { KIND, KindMark, SESSION_KINDS, type SessionKind } from "../../../components/sessions/kinds";
import { SessionDialog } from "../../../components/sessions/SessionDialog";
import { Button, ErrorRegion, Field, cx, ui } from "../../../components/ui";
import { useTRPC } from "../../../trpc/react";
import type { RouterInputs } from "../../../trpc/types";

type CreateInput = RouterInputs["sessions"]["create"];

const PRESETS: { name: string; seconds: [number, number, number, number] }[] = [
  { name: "Box", seconds: [4, 4, 4, 4] },
  { name: "Relax 4-7-8", seconds: [4, 7, 8, 0] },
  { name: "Coherent", seconds: [5, 0, 5, 0] },
];

const PHASE_FIELDS = ["Inhale", "Hold (full)", "Exhale", "Hold (empty)"] as const;
const PHASE_KEYS = ["inhaleMs", "holdInMs", "exhaleMs", "holdOutMs"] as const;

interface Draft {
  kind: SessionKind;
  title: string;
  description: string;
  visibility: "public" | "private";
  capacity: string;
  durationMin: string;
  bell: boolean;
  bellMin: string;
  phases: [string, string, string, string];
  cycles: string;
  prompt: string;
}

const EMPTY: Draft = {
  kind: "meditation",
  title: "",
  description: "",
  visibility: "public",
  capacity: "50",
  durationMin: "10",
  bell: true,
  bellMin: "2",
  phases: ["4", "4", "4", "4"],
  cycles: "10",
  prompt: "",
};

const ms = (value: string, unit: number) => Math.round(Number(value.replace(",", ".")) * unit);

function toInput(draft: Draft): CreateInput {
  const base = {
    title: draft.title.trim(),
    description: draft.description.trim() || undefined,
    visibility: draft.visibility,
    capacity: Math.round(Number(draft.capacity)),
  };
  switch (draft.kind) {
    case "meditation":
      return {
        ...base,
        kind: "meditation",
        config: { durationMs: ms(draft.durationMin, 60_000), ...(draft.bell ? { bellIntervalMs: ms(draft.bellMin, 60_000) } : {}) },
      };
    case "breathing": {
      const [inhaleMs, holdInMs, exhaleMs, holdOutMs] = draft.phases.map((p) => ms(p || "0", 1_000)) as [number, number, number, number];
      return { ...base, kind: "breathing", config: { pattern: { inhaleMs, holdInMs, exhaleMs, holdOutMs }, cycles: Math.round(Number(draft.cycles)) } };
    }
    case "stress":
      return { ...base, kind: "stress", config: { prompt: draft.prompt.trim() || undefined } };
    case "collaboration":
      return { ...base, kind: "collaboration", config: {} };
  }
}

function ChoiceCard({
  name,
  value,
  checked,
  onChange,
  title,
  description,
  icon,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange(): void;
  title: string;
  description: string;
  icon: ReactNode;
}) {
  return (
    <label className={cx("choice", checked && "choice-checked")}>
      <input type="radio" name={name} value={value} checked={checked} onChange={onChange} className="sr-only" />
      {icon}
      <span className="choice-text">
        <span className="choice-title">{title}</span>
        <span className="choice-description">{description}</span>
      </span>
    </label>
  );
}

export function CreateSessionDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.sessions.create.mutationOptions());
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<FormError>(NO_ERROR);
  /** Which setting the server refused ("durationMs", "pattern.inhaleMs"…), when its message says. */
  const [configField, setConfigField] = useState<string | null>(null);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  function close() {
    if (create.isPending) return;
    setError(NO_ERROR);
    onClose();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    if (!draft.title.trim()) {
      setError({ message: null, fields: { title: "Give the session a title." } });
      return;
    }
    create.mutate(toInput(draft), {
      onSuccess: (session) => {
        setDraft(EMPTY);
        router.push(`/sessions/${session.id}`);
      },
      onError: (err) => {
        setConfigField(/\bconfig\.([\w.]+)/.exec(err.message)?.[1] ?? null);
        setError(toFormError(err));
      },
    });
  }

  const configError = error.fields.config;
  const configErrorId = configError ? "session-config-error" : undefined;
  /** Marks a setting's input invalid: the one the server named, or all of them if it named none. */
  const invalid = (field: string) => (configError && (!configField || configField === field) ? true : undefined);
  const describedBy = (field: string) => (invalid(field) ? configErrorId : undefined);
  // The summary at the top says what is wrong in words (a field may be out of view); each
  // field's own message stays beside it, and the first field at fault takes the focus.
  const problems = Object.values(error.fields).filter((message): message is string => !!message);
  const summary = problems.length > 1 ? `Fix ${problems.length} things: ${problems.join(" ")}` : (problems[0] ?? error.message);
  const body = useRef<HTMLDivElement>(null);
  // Only when a new error arrives, not on every keystroke after it.
  useEffect(() => {
    if (Object.values(error.fields).some(Boolean)) body.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
  }, [error]);

  return (
    <SessionDialog
      open={open}
      onClose={close}
      size="lg"
      title="New live session"
      description="People who join see each other arrive, chat, and share one timer, pattern, check-in or document."
      onSubmit={onSubmit}
      footer={
        <>
          <Button variant="ghost" onClick={close} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={create.isPending}>
            {create.isPending ? null : <PlusIcon size={15} />}
            Create session
          </Button>
        </>
      }
    >
      <div className={ui.form} ref={body}>
        <ErrorRegion message={summary} />
        <fieldset className="fieldset">
          <legend className={ui.label}>Kind</legend>
          <div className="choice-grid">
            {SESSION_KINDS.map((kind) => (
              <ChoiceCard
                key={kind}
                name="kind"
                value={kind}
                checked={draft.kind === kind}
                onChange={() => set("kind", kind)}
                title={KIND[kind].label}
                description={KIND[kind].blurb}
                icon={<KindMark kind={kind} size="sm" />}
              />
            ))}
          </div>
        </fieldset>

        <Field
          label="Title"
          name="title"
          placeholder={
            { meditation: "Morning sit", breathing: "Box breathing break", stress: "Friday check-in", collaboration: "Retro notes" }[draft.kind]
          }
          maxLength={120}
          value={draft.title}
          onChange={(e) => set("title", e.target.value)}
          error={error.fields.title}
          autoFocus
        />
        <div className={ui.field}>
          <div className={ui.labelRow}>
            <label className={ui.label} htmlFor="session-description">
              Description
            </label>
            <span className={ui.hint}>Optional</span>
          </div>
          <textarea
            id="session-description"
            className={cx(ui.input, "textarea")}
            rows={2}
            maxLength={2_000}
            placeholder="What is this session for?"
            value={draft.description}
            onChange={(e) => set("description", e.target.value)}
            aria-invalid={error.fields.description ? true : undefined}
          />
          {error.fields.description ? <p className={ui.fieldError}>{error.fields.description}</p> : null}
        </div>

        <div className="kind-config" data-kind={draft.kind} data-invalid={configError ? true : undefined}>
          <div className="kind-config-head">
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
                min={1}
                max={240}
                step="any"
                value={draft.durationMin}
                onChange={(e) => set("durationMin", e.target.value)}
                aria-invalid={invalid("durationMs")}
                aria-describedby={describedBy("durationMs")}
              />
              <div className={ui.field}>
                <label className="check-row">
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
            <div className={ui.form} style={{ gap: 12 }}>
              <div className="preset-row" role="group" aria-label="Patterns">
                {PRESETS.map((preset) => {
                  const active = preset.seconds.every((s, i) => Number(draft.phases[i]) === s);
                  return (
                    <button
                      key={preset.name}
                      type="button"
                      className={cx("chip", active && "chip-on")}
                      aria-pressed={active}
                      onClick={() => set("phases", preset.seconds.map(String) as Draft["phases"])}
                    >
                      {preset.name} <span className="subtle">{preset.seconds.join("·")}</span>
                    </button>
                  );
                })}
              </div>
              <div className="phase-inputs">
                {PHASE_FIELDS.map((label, i) => (
                  <Field
                    key={label}
                    label={`${label} (s)`}
                    type="number"
                    inputMode="decimal"
                    min={0}
                    max={60}
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
                  min={1}
                  max={500}
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
              maxLength={200}
              value={draft.prompt}
              onChange={(e) => set("prompt", e.target.value)}
              hint="Optional. Everyone answers with a level from 1 to 10 and what weighs on them."
            />
          ) : null}
          {draft.kind === "collaboration" ? (
            <p className="muted" style={{ fontSize: 13.5 }}>
              Everyone in the room edits one shared document at the same time; nobody&apos;s keystrokes are lost. Late joiners get the
              whole document.
            </p>
          ) : null}
          {configError ? (
            <p className={ui.fieldError} id={configErrorId}>
              {configError}
            </p>
          ) : null}
        </div>

        <fieldset className="fieldset">
          <legend className={ui.label}>Who can join</legend>
          <div className="choice-grid choice-grid-2">
            <ChoiceCard
              name="visibility"
              value="public"
              checked={draft.visibility === "public"}
              onChange={() => set("visibility", "public")}
              title="Public"
              description="Listed for everyone signed in to Pulse."
              icon={<GlobeIcon size={18} className="choice-icon" />}
            />
            <ChoiceCard
              name="visibility"
              value="private"
              checked={draft.visibility === "private"}
              onChange={() => set("visibility", "private")}
              title="Private"
              description="Only people you give the invite code to."
              icon={<LockIcon size={18} className="choice-icon" />}
            />
          </div>
        </fieldset>
        <div className={ui.formRow}>
          <Field
            label="Capacity"
            name="capacity"
            type="number"
            inputMode="numeric"
            min={2}
            max={10_000}
            value={draft.capacity}
            onChange={(e) => set("capacity", e.target.value)}
            error={error.fields.capacity}
            hint="The most people in the room at once, host included."
          />
          <div className={ui.field} aria-hidden="true" />
        </div>
      </div>
    </SessionDialog>
  );
}
