"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { GlobeIcon, LockIcon, PlusIcon } from "@/components/icons";
import { KIND, KindMark, SESSION_KINDS } from "@/components/sessions/kinds";
import { SessionDialog } from "@/components/sessions/SessionDialog";
import forms from "@/components/sessions/sessionForms.module.css";
import { Button, ErrorRegion, Field, cx, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { ChoiceCard, ChoiceGrid } from "./ChoiceCard";
import { EMPTY, toInput, type Draft } from "./createDraft";
import { KindSettings } from "./KindSettings";
import { CAPACITY_MAX, CAPACITY_MIN, DESCRIPTION_MAX_CHARS, TITLE_MAX_CHARS } from "@/shared/sessions/limits";

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
        <fieldset className={forms.fieldset}>
          <legend className={ui.label}>Kind</legend>
          <ChoiceGrid>
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
          </ChoiceGrid>
        </fieldset>

        <Field
          label="Title"
          name="title"
          placeholder={
            { meditation: "Morning sit", breathing: "Box breathing break", stress: "Friday check-in", collaboration: "Retro notes" }[draft.kind]
          }
          maxLength={TITLE_MAX_CHARS}
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
            className={cx(ui.input, forms.textarea)}
            rows={2}
            maxLength={DESCRIPTION_MAX_CHARS}
            placeholder="What is this session for?"
            value={draft.description}
            onChange={(e) => set("description", e.target.value)}
            aria-invalid={error.fields.description ? true : undefined}
          />
          {error.fields.description ? <p className={ui.fieldError}>{error.fields.description}</p> : null}
        </div>

        <KindSettings draft={draft} set={set} error={configError} errorId={configErrorId} invalid={invalid} describedBy={describedBy} />

        <fieldset className={forms.fieldset}>
          <legend className={ui.label}>Who can join</legend>
          <ChoiceGrid>
            <ChoiceCard
              name="visibility"
              value="public"
              checked={draft.visibility === "public"}
              onChange={() => set("visibility", "public")}
              title="Public"
              description="Listed for everyone signed in to Pulse."
              icon={<GlobeIcon size={18} />}
            />
            <ChoiceCard
              name="visibility"
              value="private"
              checked={draft.visibility === "private"}
              onChange={() => set("visibility", "private")}
              title="Private"
              description="Only people you give the invite code to."
              icon={<LockIcon size={18} />}
            />
          </ChoiceGrid>
        </fieldset>
        <div className={ui.formRow}>
          <Field
            label="Capacity"
            name="capacity"
            type="number"
            inputMode="numeric"
            min={CAPACITY_MIN}
            max={CAPACITY_MAX}
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
