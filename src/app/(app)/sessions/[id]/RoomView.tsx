"use client";
/**
 * A live session's room: reads the session once, then follows its event stream
 * (useSessionRoom). Before the room, a gate (join, invite code, not found); in it, the header,
 * the host's controls, help requests and nudges, the kind's panel, the people and the chat.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useShell } from "@/components/AppShell";
import { kindClass } from "@/components/sessions/kinds";
import { useSessionRoom, type Snapshot } from "@/components/sessions/useSessionRoom";
import { useNow } from "@/components/time";
import { Alert, Button, LoadError } from "@/components/ui";
import { errorCode, useTRPC } from "@/trpc/react";
import { BackLink } from "./BackLink";
import { BreathingPanel } from "./BreathingPanel";
import { ChatPanel } from "./ChatPanel";
import { CollaborationPanel } from "./CollaborationPanel";
import { HelpBanner } from "./HelpBanner";
import { HelpDialog } from "./HelpDialog";
import { HostControls } from "./HostControls";
import { JoinGate } from "./JoinGate";
import { MeditationPanel } from "./MeditationPanel";
import { NudgeBanner } from "./NudgeBanner";
import { ParticipantsPanel } from "./ParticipantsPanel";
import { PrivateGate } from "./PrivateGate";
import { RoomHeader } from "./RoomHeader";
import { RoomSkeleton } from "./RoomSkeleton";
import styles from "./RoomView.module.css";
import { SessionNotFound } from "./SessionNotFound";
import { StressPanel } from "./StressPanel";

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
    if (code === "NOT_FOUND" || code === "BAD_REQUEST") return <SessionNotFound />;
    return (
      <>
        <BackLink />
        <LoadError title="This session can't be opened" error={snapshot.error} onRetry={() => void snapshot.refetch()} />
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
    <div className={kindClass} data-kind={session.kind}>
      <BackLink />
      <RoomHeader
        session={session}
        link={link}
        canAskForHelp={!isHost && !ended}
        onAskForHelp={() => setAsking(true)}
        onLeave={onLeave}
        leaving={leave.isPending}
      />

      <div className={styles.alerts}>
        {link.state === "error" ? (
          <Alert tone="danger" title="Live updates stopped" role="alert">
            <p className={styles.retry}>{link.message}</p>
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

      <div className={styles.grid}>
        <div className={styles.main}>
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

