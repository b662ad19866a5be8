"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ConfirmButton } from "@/components/ConfirmButton";
import { CopyButton } from "@/components/CopyButton";
import { errorMessage } from "@/components/errors";
import { LockIcon } from "@/components/icons";
import { LinkIcon, PauseIcon, PlayIcon } from "@/components/sessions/SessionIcons";
import type { RoomSession } from "@/components/sessions/useSessionRoom";
import { useTimerComplete } from "@/components/sessions/useTimerComplete";
import { Alert, Badge, Button } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import styles from "./HostControls.module.css";

/** The host's bar: what happens next (start, pause, resume, end) and a private room's invite. */
export function HostControls({ session }: { session: RoomSession }) {
  const trpc = useTRPC();
  const start = useMutation(trpc.sessions.start.mutationOptions());
  const pause = useMutation(trpc.sessions.pause.mutationOptions());
  const resume = useMutation(trpc.sessions.resume.mutationOptions());
  const end = useMutation(trpc.sessions.end.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  const input = { sessionId: session.id };
  const onError = (err: unknown) => setError(errorMessage(err));
  const timed = session.kind === "meditation" || session.kind === "breathing";
  const { status } = session;
  // At 0:00 (or after the last breath) there is nothing left to pause: the next step is to end.
  const complete = useTimerComplete(session.state, status);
  const inviteLink = session.inviteCode ? `${origin}/sessions/${session.id}?code=${session.inviteCode}` : null;

  return (
    <section className={styles.bar} aria-label="Host controls">
      <div className={styles.main}>
        <span className={styles.label}>
          <Badge tone="accent">Host</Badge>
          <span className="muted" data-testid="host-hint">
            {complete
              ? `${session.kind === "meditation" ? "The sit is complete" : "Every cycle is done"}. End the session to close it for everyone; the chat stays readable.`
              : status === "scheduled"
                ? `Start when everyone is here${timed ? ": the timer starts for all at once." : "."}`
                : status === "paused"
                  ? "Paused for everyone."
                  : "The session is live for everyone."}
          </span>
        </span>
        <div className={styles.actions}>
          {status === "scheduled" ? (
            <Button variant="primary" onClick={() => start.mutate(input, { onError })} loading={start.isPending}>
              {start.isPending ? null : <PlayIcon size={14} />}
              Start session
            </Button>
          ) : null}
          {status === "live" && timed && !complete ? (
            <Button onClick={() => pause.mutate(input, { onError })} loading={pause.isPending}>
              {pause.isPending ? null : <PauseIcon size={14} />}
              Pause
            </Button>
          ) : null}
          {status === "paused" && !complete ? (
            <Button variant="primary" onClick={() => resume.mutate(input, { onError })} loading={resume.isPending}>
              {resume.isPending ? null : <PlayIcon size={14} />}
              Resume
            </Button>
          ) : null}
          {complete ? (
            // Nothing is cut short any more: one click ends it, no confirmation.
            <Button variant="primary" onClick={() => end.mutate(input, { onError })} loading={end.isPending}>
              End session
            </Button>
          ) : (
            <ConfirmButton label="End session" confirmLabel="End for everyone" loading={end.isPending} onConfirm={() => end.mutate(input, { onError })}>
              End session
            </ConfirmButton>
          )}
        </div>
      </div>
      {inviteLink ? (
        <div className={styles.invite}>
          <LockIcon size={14} />
          <span className="muted">Invite code</span>
          <code className={styles.code} data-testid="invite-code">
            {session.inviteCode}
          </code>
          <CopyButton text={inviteLink} label="Copy invite link" quiet Icon={LinkIcon} />
        </div>
      ) : null}
      {error ? (
        <div className={styles.error}>
          <Alert tone="danger" role="alert">
            {error}
          </Alert>
        </div>
      ) : null}
    </section>
  );
}
