"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage } from "@/components/errors";
import { UsersIcon } from "@/components/icons";
import { KIND, KindMark, stateSummary } from "@/components/sessions/kinds";
import type { RoomState, Snapshot } from "@/components/sessions/useSessionRoom";
import { Alert, Button, ErrorRegion, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { Gate } from "./Gate";
import styles from "./Gate.module.css";
import { RoomStatus } from "./RoomStatus";

/** A session the person has not joined: what it is, who hosts it, how full it is, and Join. */
export function JoinGate({ room, onJoined }: { room: RoomState; onJoined(snapshot: Snapshot): void }) {
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
      <div className={styles.tags}>
        <span className={ui.pageEyebrow}>{KIND[session.kind].label}</span>
        <RoomStatus session={session} />
      </div>
      <h1 className={ui.pageTitle}>{session.title}</h1>
      <p className="muted">{session.description || KIND[session.kind].blurb}</p>
      <p className={styles.meta}>
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
