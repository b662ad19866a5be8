"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { SessionDialog } from "@/components/sessions/SessionDialog";
import { LifebuoyIcon } from "@/components/sessions/SessionIcons";
import forms from "@/components/sessions/sessionForms.module.css";
import { Button, ErrorRegion, cx, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { HELP_NOTE_MAX_CHARS } from "@/shared/sessions/limits";

/** "Ask for help": an optional note, sent to the host and Pulse's admins at once. */
export function HelpDialog({ sessionId, open, onClose, onSent }: { sessionId: string; open: boolean; onClose(): void; onSent(): void }) {
  const trpc = useTRPC();
  const request = useMutation(trpc.sessions.requestHelp.mutationOptions());
  const [note, setNote] = useState("");
  const [error, setError] = useState<FormError>(NO_ERROR);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    request.mutate(
      { sessionId, note: note.trim() || undefined },
      {
        onSuccess: () => {
          setNote("");
          onSent();
        },
        onError: (err) => setError(toFormError(err)),
      },
    );
  }

  return (
    <SessionDialog
      open={open}
      onClose={onClose}
      title="Ask for help"
      description="The host is told at once, and so are Pulse's admins. Add a note if you like."
      onSubmit={onSubmit}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" variant="danger-solid" loading={request.isPending}>
            {request.isPending ? null : <LifebuoyIcon size={15} />}
            Ask for help now
          </Button>
        </>
      }
    >
      <div className={ui.form}>
        <ErrorRegion message={error.message} />
        <div className={ui.field}>
          <div className={ui.labelRow}>
            <label className={ui.label} htmlFor="help-note">
              Note
            </label>
            <span className={cx(ui.hint, "tabular")}>{note.length} / 500</span>
          </div>
          <textarea
            id="help-note"
            className={cx(ui.input, forms.textarea)}
            rows={3}
            maxLength={HELP_NOTE_MAX_CHARS}
            placeholder="e.g. I'm feeling dizzy / I can't hear the bell"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            aria-invalid={error.fields.note ? true : undefined}
          />
          {error.fields.note ? <p className={ui.fieldError}>{error.fields.note}</p> : null}
        </div>
      </div>
    </SessionDialog>
  );
}
