"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { SessionDialog } from "@/components/sessions/SessionDialog";
import { TicketIcon } from "@/components/sessions/SessionIcons";
import { Button, ErrorRegion, Field, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { INVITE_CODE_MAX_CHARS } from "@/shared/sessions/limits";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** "https://…/sessions/<id>?code=ABC" → { id, code }; a bare id works too. */
export function parseInvite(link: string): { sessionId: string | null; code: string | null } {
  const sessionId = link.match(UUID)?.[0]?.toLowerCase() ?? null;
  const code = link.match(/[?&]code=([A-Za-z0-9]+)/)?.[1] ?? null;
  return { sessionId, code };
}

export function JoinInviteDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const join = useMutation(trpc.sessions.join.mutationOptions());
  const [link, setLink] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<FormError>(NO_ERROR);

  function close() {
    if (join.isPending) return;
    setError(NO_ERROR);
    onClose();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    const parsed = parseInvite(link);
    if (!parsed.sessionId) {
      setError({ message: null, fields: { link: "Paste the invite link the host shared (it contains the session's id)." } });
      return;
    }
    const inviteCode = code.trim() || parsed.code || undefined;
    join.mutate(
      { sessionId: parsed.sessionId, inviteCode },
      {
        onSuccess: (snapshot) => {
          queryClient.setQueryData(trpc.sessions.byId.queryKey({ sessionId: snapshot.id }), snapshot);
          router.push(`/sessions/${snapshot.id}`);
        },
        onError: (err) => {
          const formError = toFormError(err);
          setError(formError.fields.sessionId ? { message: null, fields: { link: formError.fields.sessionId } } : formError);
        },
      },
    );
  }

  return (
    <SessionDialog
      open={open}
      onClose={close}
      title="Join with an invite"
      description="Private sessions are open to people with their invite code. Paste the link the host shared."
      onSubmit={onSubmit}
      footer={
        <>
          <Button variant="ghost" onClick={close} disabled={join.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="primary" loading={join.isPending}>
            {join.isPending ? null : <TicketIcon size={15} />}
            Join session
          </Button>
        </>
      }
    >
      <div className={ui.form}>
        <ErrorRegion message={error.message} />
        <Field
          label="Invite link"
          name="inviteLink"
          placeholder="https://…/sessions/…?code=…"
          value={link}
          onChange={(e) => setLink(e.target.value)}
          error={error.fields.link}
          autoFocus
        />
        <Field
          label="Invite code"
          name="inviteCode"
          placeholder="e.g. K7M2QX9PTA"
          autoComplete="off"
          spellCheck={false}
          maxLength={INVITE_CODE_MAX_CHARS}
          value={code}
          onChange={(e) => setCode(e.target.value.toUpperCase())}
          error={error.fields.inviteCode}
          hint="Not needed when the link already includes it."
        />
      </div>
    </SessionDialog>
  );
}
