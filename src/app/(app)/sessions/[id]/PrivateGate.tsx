"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { LockIcon } from "@/components/icons";
import { TicketIcon } from "@/components/sessions/SessionIcons";
import type { Snapshot } from "@/components/sessions/useSessionRoom";
import { Button, ErrorRegion, Field, cx, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { Gate } from "./Gate";
import styles from "./Gate.module.css";
import { INVITE_CODE_MAX_CHARS } from "@/shared/sessions/limits";

/** A private session the person has not joined: its invite code (from the link, or typed). */
export function PrivateGate({ sessionId, code, onJoined }: { sessionId: string; code?: string; onJoined(snapshot: Snapshot): void }) {
  const trpc = useTRPC();
  const join = useMutation(trpc.sessions.join.mutationOptions());
  const [inviteCode, setInviteCode] = useState(code ?? "");
  const [error, setError] = useState<FormError>(NO_ERROR);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    if (!inviteCode.trim()) {
      setError({ message: null, fields: { inviteCode: "Enter the invite code the host gave you." } });
      return;
    }
    join.mutate({ sessionId, inviteCode: inviteCode.trim() }, { onSuccess: onJoined, onError: (err) => setError(toFormError(err)) });
  }

  return (
    <Gate>
      <span className={styles.lock}>
        <LockIcon size={22} />
      </span>
      <h1 className={ui.pageTitle}>This session is private</h1>
      <p className="muted">Enter the invite code the host shared with you to join.</p>
      <form className={cx(ui.form, styles.form)} onSubmit={onSubmit} noValidate>
        <ErrorRegion message={error.message} />
        <Field
          label="Invite code"
          name="inviteCode"
          autoComplete="off"
          spellCheck={false}
          maxLength={INVITE_CODE_MAX_CHARS}
          placeholder="e.g. K7M2QX9PTA"
          value={inviteCode}
          onChange={(e) => setInviteCode(e.target.value.toUpperCase())}
          error={error.fields.inviteCode}
          className={cx("mono", styles.code)}
        />
        <Button type="submit" variant="primary" size="lg" loading={join.isPending} block>
          {join.isPending ? null : <TicketIcon size={16} />}
          Join session
        </Button>
      </form>
    </Gate>
  );
}
