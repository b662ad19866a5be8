"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useShell } from "../../../../components/AppShell";
import { ConfirmButton } from "../../../../components/ConfirmButton";
import { errorMessage, NO_ERROR, toFormError, type FormError } from "../../../../components/errors";
import { LockIcon, LogOutIcon, UsersIcon } from "../../../../components/icons";
import { KIND, KindMark, StatusPill, stateSummary } from "../../../../components/sessions/kinds";
import { CopyButton } from "../../../../components/CopyButton";
import { SessionDialog } from "../../../../components/sessions/SessionDialog";
import { ArrowLeftIcon, HeartIcon, LifebuoyIcon, LinkIcon, PauseIcon, PlayIcon, TicketIcon } from "../../../../components/sessions/SessionIcons";
import { SessionLinkIndicator } from "../../../../components/sessions/SessionLinkIndicator";
import { useSessionRoom, type HelpRequest, type Nudge, type RoomSession, type RoomState, type Snapshot } from "../../../../components/sessions/useSessionRoom";
import { useTimerComplete } from "../../../../components/sessions/useTimerComplete";
import { formatRelative, useNow } from "../../../../components/time";
import { Alert, Badge, Button, ErrorRegion, Field, Skeleton, buttonClass, ui, cx } from "../../../../components/ui";
import { errorCode, useTRPC } from "../../../../trpc/react";
import { BreathingPanel } from "./BreathingPanel";
import { ChatPanel } from "./ChatPanel";
import { CollaborationPanel } from "./CollaborationPanel";
import { MeditationPanel } from "./MeditationPanel";
import { ParticipantsPanel } from "./ParticipantsPanel";
import { StressPanel } from "./StressPanel";

/** The status pill, reading "Complete" from the instant a live session's timer runs out. */
function RoomStatus({ session }: { session: RoomSession }) {
  const complete = useTimerComplete(session.state, session.status);
  return <StatusPill status={complete ? "complete" : session.status} />;
}

function BackLink() {
  return (
    <Link href="/sessions" className="back-link">
      <ArrowLeftIcon size={15} />
      All sessions
    </Link>
  );
}

// ── Host controls ────────────────────────────────────────────────────────────────────

function HostControls({ session }: { session: RoomSession }) {
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
    <section className="host-bar" aria-label="Host controls">
      <div className="host-bar-main">
        <span className="host-bar-label">
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
        <div className="host-bar-actions">
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
        <div className="host-bar-invite">
          <LockIcon size={14} />
          <span className="muted">Invite code</span>
          <code className="invite-code" data-testid="invite-code">
            {session.inviteCode}
          </code>
          <CopyButton text={inviteLink} label="Copy invite link" quiet Icon={LinkIcon} />
        </div>
      ) : null}
      {error ? (
        <div style={{ gridColumn: "1 / -1" }}>
          <Alert tone="danger" role="alert">
            {error}
          </Alert>
        </div>
      ) : null}
    </section>
  );
}

// ── Help and nudges ──────────────────────────────────────────────────────────────────

function HelpBanner({ help, now, onDismiss }: { help: HelpRequest; now: number; onDismiss(): void }) {
  return (
    <div className="help-banner" role="alert" data-testid="help-banner">
      <span className="help-banner-icon">
        <LifebuoyIcon size={22} />
      </span>
      <div className="help-banner-text">
        <strong>{help.name} is asking for help</strong>
        <span>{help.note ? `“${help.note}”` : "No note: check in with them."}</span>
      </div>
      <span className="help-banner-time">{formatRelative(help.at, now)}</span>
      <Button size="sm" onClick={onDismiss}>
        Got it
      </Button>
    </div>
  );
}

function NudgeBanner({ nudge, onWrite, onDismiss }: { nudge: Nudge; onWrite(): void; onDismiss(): void }) {
  return (
    <div className="nudge-banner" role="status" data-testid="nudge-banner">
      <span className="nudge-banner-icon">
        <HeartIcon size={18} />
      </span>
      <p>{nudge.text}</p>
      <div className="nudge-banner-actions">
        <Button size="sm" variant="primary" onClick={onWrite}>
          Send a kind word
        </Button>
        <Button size="sm" variant="ghost" onClick={onDismiss}>
          Dismiss
        </Button>
      </div>
    </div>
  );
}

function HelpDialog({ sessionId, open, onClose, onSent }: { sessionId: string; open: boolean; onClose(): void; onSent(): void }) {
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
            className={cx(ui.input, "textarea")}
            rows={3}
            maxLength={500}
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

// ── Before the room: join, private, missing ──────────────────────────────────────────

function Gate({ children }: { children: React.ReactNode }) {
  return (
    <>
      <BackLink />
      <div className="gate">
        <div className={cx(ui.card, "gate-card")}>{children}</div>
      </div>
    </>
  );
}

function JoinGate({ room, onJoined }: { room: RoomState; onJoined(snapshot: Snapshot): void }) {
  const trpc = useTRPC();
  const join = useMutation(trpc.sessions.join.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const { session, participants } = room;
  const host = participants.find((p) => p.role === "host");
  const ended = session.status === "ended";
  const full = participants.length >= session.capacity;

  return (
    <Gate>
      <KindMark kind={session.kind} size="lg" />
      <div className="gate-tags">
        <span className={ui.pageEyebrow}>{KIND[session.kind].label}</span>
        <RoomStatus session={session} />
      </div>
      <h1 className={ui.pageTitle}>{session.title}</h1>
      <p className="muted">{session.description || KIND[session.kind].blurb}</p>
      <p className="gate-meta">
        <UsersIcon size={15} /> {participants.length} of {session.capacity} here{host ? ` · hosted by ${host.name}` : ""} · {stateSummary(session.state)}
      </p>
      <ErrorRegion message={error} />
      {ended ? (
        <Alert tone="info">This session has ended. Start a new one from the sessions list.</Alert>
      ) : (
        <Button
          variant="primary"
          size="lg"
          loading={join.isPending}
          disabled={full}
          onClick={() => {
            setError(null);
            join.mutate({ sessionId: session.id }, { onSuccess: onJoined, onError: (err) => setError(errorMessage(err)) });
          }}
        >
          {full ? "This session is full" : "Join session"}
        </Button>
      )}
    </Gate>
  );
}

function PrivateGate({ sessionId, code, onJoined }: { sessionId: string; code?: string; onJoined(snapshot: Snapshot): void }) {
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
      <span className="gate-lock">
        <LockIcon size={22} />
      </span>
      <h1 className={ui.pageTitle}>This session is private</h1>
      <p className="muted">Enter the invite code the host shared with you to join.</p>
      <form className={cx(ui.form, "gate-form")} onSubmit={onSubmit} noValidate>
        <ErrorRegion message={error.message} />
        <Field
          label="Invite code"
          name="inviteCode"
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          placeholder="e.g. K7M2QX9PTA"
          value={inviteCode}
          onChange={(e) => setInviteCode(e.target.value.toUpperCase())}
          error={error.fields.inviteCode}
          className="mono"
        />
        <Button type="submit" variant="primary" size="lg" loading={join.isPending} block>
          {join.isPending ? null : <TicketIcon size={16} />}
          Join session
        </Button>
      </form>
    </Gate>
  );
}

function RoomSkeleton() {
  return (
    <div aria-busy="true">
      <span className="sr-only" role="status">
        Opening the session…
      </span>
      <Skeleton width={110} height={16} style={{ marginBottom: 22 }} />
      <div style={{ display: "flex", gap: 16, alignItems: "center", marginBottom: 28 }}>
        <Skeleton width={52} height={52} style={{ borderRadius: 14 }} />
        <div style={{ display: "grid", gap: 10, flex: 1 }}>
          <Skeleton width={160} height={14} />
          <Skeleton width="45%" height={26} />
        </div>
      </div>
      <div className="room-grid">
        <Skeleton height={460} style={{ borderRadius: 14 }} />
        <Skeleton height={460} style={{ borderRadius: 14 }} />
      </div>
    </div>
  );
}

// ── The room ─────────────────────────────────────────────────────────────────────────

export function RoomView({ sessionId, inviteCode }: { sessionId: string; inviteCode?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { me } = useShell();
  const now = useNow(15_000);
  const queryKey = trpc.sessions.byId.queryKey({ sessionId });
  const snapshot = useQuery(
    trpc.sessions.byId.queryOptions(
      { sessionId },
      // Read once: from then on the event stream keeps the room current.
      { staleTime: Infinity, refetchOnWindowFocus: false, refetchOnReconnect: false, retry: false },
    ),
  );
  const { room, link, doc, load, loadOlder, loadingOlder, dismissHelp, dismissNudge, markLeft } = useSessionRoom(sessionId, me.id);
  const leave = useMutation(trpc.sessions.leave.mutationOptions());
  const [asking, setAsking] = useState(false);
  const [helpSent, setHelpSent] = useState(false);
  const composer = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (snapshot.data) load(snapshot.data);
  }, [snapshot.data, load]);

  // The next visit reads the session afresh.
  useEffect(() => () => queryClient.removeQueries({ queryKey: trpc.sessions.byId.queryKey({ sessionId }), exact: true }), [queryClient, trpc, sessionId]);

  const title = room?.session.title;
  useEffect(() => {
    if (title) document.title = `${title} · Pulse`;
  }, [title]);

  useEffect(() => {
    if (!helpSent) return;
    const timer = setTimeout(() => setHelpSent(false), 8_000);
    return () => clearTimeout(timer);
  }, [helpSent]);

  const onJoined = (fresh: Snapshot) => queryClient.setQueryData(queryKey, fresh);

  if (snapshot.isError) {
    const code = errorCode(snapshot.error);
    if (code === "FORBIDDEN") return <PrivateGate sessionId={sessionId} code={inviteCode} onJoined={onJoined} />;
    if (code === "NOT_FOUND" || code === "BAD_REQUEST") {
      return (
        <Gate>
          <h1 className={ui.pageTitle}>Session not found</h1>
          <p className="muted">The link may be wrong, or the session may have been removed.</p>
          <Link href="/sessions" className={buttonClass({ variant: "primary" })}>
            See all sessions
          </Link>
        </Gate>
      );
    }
    return (
      <>
        <BackLink />
        <Alert tone="danger" title="This session can't be opened" role="alert">
          <p style={{ marginBottom: 10 }}>{errorMessage(snapshot.error)}</p>
          <Button size="sm" onClick={() => void snapshot.refetch()}>
            Try again
          </Button>
        </Alert>
      </>
    );
  }
  if (!room) return <RoomSkeleton />;
  if (!room.present) return <JoinGate room={room} onJoined={onJoined} />;

  const { session, participants, online } = room;
  const isHost = session.hostId === me.id;
  const ended = session.status === "ended";
  const onlineNames = participants.filter((p) => online[p.userId]?.length).map((p) => p.name);

  function onLeave() {
    leave.mutate(
      { sessionId },
      {
        onSuccess: () => {
          markLeft();
          void queryClient.invalidateQueries({ queryKey: trpc.sessions.list.pathKey() });
          router.push("/sessions");
        },
      },
    );
  }

  const panel = (() => {
    const state = session.state;
    switch (state.kind) {
      case "meditation":
        return <MeditationPanel state={state} status={session.status} lastTimer={room.lastTimer} />;
      case "breathing":
        return <BreathingPanel sessionId={sessionId} state={state} status={session.status} isHost={isHost} />;
      case "stress":
        return <StressPanel sessionId={sessionId} state={state} closed={ended} />;
      case "collaboration":
        return doc ? <CollaborationPanel sessionId={sessionId} doc={doc} closed={ended} editors={onlineNames} /> : null;
    }
  })();

  return (
    <div className="room" data-kind={session.kind}>
      <BackLink />
      <header className="room-header">
        <KindMark kind={session.kind} size="lg" />
        <div className="room-heading">
          <div className="room-tags">
            <span className={ui.pageEyebrow}>{KIND[session.kind].label}</span>
            <RoomStatus session={session} />
            {session.visibility === "private" ? (
              <Badge>
                <LockIcon size={12} /> Private
              </Badge>
            ) : null}
          </div>
          <h1 className={ui.pageTitle}>{session.title}</h1>
          {session.description ? <p className={ui.pageDescription}>{session.description}</p> : null}
        </div>
        <div className="room-actions">
          <SessionLinkIndicator link={link} />
          {!isHost && !ended ? (
            <Button onClick={() => setAsking(true)} className="help-button">
              <LifebuoyIcon size={15} />
              Ask for help
            </Button>
          ) : null}
          <Button variant="ghost" onClick={onLeave} loading={leave.isPending}>
            {leave.isPending ? null : <LogOutIcon size={15} />}
            Leave
          </Button>
        </div>
      </header>

      <div className="room-alerts">
        {link.state === "error" ? (
          <Alert tone="danger" title="Live updates stopped" role="alert">
            <p style={{ marginBottom: 10 }}>{link.message}</p>
            <Button size="sm" onClick={() => void snapshot.refetch()}>
              Reconnect
            </Button>
          </Alert>
        ) : null}
        {/* The host answers help requests; so may an admin who is in the room. */}
        {isHost || me.role === "ADMIN" ? room.help.map((help) => <HelpBanner key={help.id} help={help} now={now} onDismiss={() => dismissHelp(help.id)} />) : null}
        {room.nudges.map((nudge) => (
          <NudgeBanner
            key={nudge.id}
            nudge={nudge}
            onDismiss={() => dismissNudge(nudge.id)}
            onWrite={() => {
              dismissNudge(nudge.id);
              composer.current?.focus();
            }}
          />
        ))}
        {helpSent ? (
          <Alert tone="success" role="status">
            The host has been told. Help is on its way.
          </Alert>
        ) : null}
        {ended ? (
          <Alert tone="info" title="This session has ended" role="status">
            Thank you for being here. The chat and what the group shared stay readable.
          </Alert>
        ) : null}
      </div>

      {isHost && !ended ? <HostControls session={session} /> : null}

      <div className="room-grid">
        <div className="room-main">
          {panel}
          <ParticipantsPanel participants={participants} online={online} hostId={session.hostId} myId={me.id} capacity={session.capacity} />
        </div>
        <ChatPanel
          sessionId={sessionId}
          myId={me.id}
          feed={room.feed}
          canLoadOlder={room.olderBefore !== null}
          loadingOlder={loadingOlder}
          onLoadOlder={() => void loadOlder()}
          closed={ended}
          composerRef={composer}
        />
      </div>

      <HelpDialog
        sessionId={sessionId}
        open={asking}
        onClose={() => setAsking(false)}
        onSent={() => {
          setAsking(false);
          setHelpSent(true);
        }}
      />
    </div>
  );
}

