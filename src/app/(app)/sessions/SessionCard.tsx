"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "@/components/errors";
import { ArrowRightIcon, LockIcon } from "@/components/icons";
import { KIND, KindMark, StatusPill, kindClass, stateSummary } from "@/components/sessions/kinds";
import { timerComplete } from "@/components/sessions/timing";
import { serverNow } from "@/components/sessions/useServerClock";
import { formatRelative } from "@/components/time";
import { Alert, Avatar, Badge, Button, buttonClass, cx, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import styles from "./SessionCard.module.css";

export type ListItem = RouterOutputs["sessions"]["list"]["items"][number];

/** One session in the list: its kind, status, title, what it is set to, its host, and Join / Open. */
export function SessionCard({ session, now }: { session: ListItem; now: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const join = useMutation(trpc.sessions.join.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const href = `/sessions/${session.id}`;
  const ended = session.status === "ended";
  const full = !session.joined && session.participantCount >= session.capacity;

  function onJoin() {
    setError(null);
    join.mutate(
      { sessionId: session.id },
      {
        onSuccess: (snapshot) => {
          queryClient.setQueryData(trpc.sessions.byId.queryKey({ sessionId: snapshot.id }), snapshot);
          router.push(href);
        },
        onError: (err) => setError(errorMessage(err)),
      },
    );
  }

  return (
    <article className={cx(styles.card, kindClass)} data-kind={session.kind} data-testid="session-card" aria-labelledby={`session-${session.id}`}>
      <div className={styles.top}>
        <KindMark kind={session.kind} />
        <div className={styles.tags}>
          <span className={styles.kindName} data-testid="session-kind">
            {KIND[session.kind].label}
          </span>
          {/* Re-read with every `now` tick: a list is allowed to be a few seconds behind the 0:00. */}
          <StatusPill status={timerComplete(session.state, session.status, serverNow()) ? "complete" : session.status} />
          {session.visibility === "private" ? (
            <Badge title="Private: invite only">
              <LockIcon size={12} /> Private
            </Badge>
          ) : null}
        </div>
      </div>
      <div className={styles.text}>
        <h3 className={styles.title} id={`session-${session.id}`}>
          <Link href={href}>{session.title}</Link>
        </h3>
        <p className={styles.description}>{session.description || KIND[session.kind].blurb}</p>
      </div>
      <p className={styles.summary}>{stateSummary(session.state)}</p>
      {error ? (
        <Alert tone="danger" role="alert">
          {error}
        </Alert>
      ) : null}
      <footer className={styles.foot}>
        <div className={styles.host}>
          <Avatar name={session.hostName ?? "?"} />
          <span className={ui.cellLines}>
            <span className={styles.hostName}>{session.hostName ?? "Unknown host"}</span>
            <span className={ui.cellSub}>
              <span className="tabular">
                {session.participantCount}/{session.capacity}
              </span>{" "}
              here · {formatRelative(session.createdAt, now)}
            </span>
          </span>
        </div>
        {session.joined || ended ? (
          <Link href={href} className={buttonClass({ size: "sm" })} aria-label={`${ended ? "View" : "Open"} ${session.title}`}>
            {ended ? "View" : "Open"}
            <ArrowRightIcon size={14} />
          </Link>
        ) : (
          <Button size="sm" variant="primary" loading={join.isPending} disabled={full} onClick={onJoin} aria-label={`Join ${session.title}`}>
            {full ? "Full" : "Join"}
          </Button>
        )}
      </footer>
    </article>
  );
}
