"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessage } from "../../../components/errors";
import { ArrowRightIcon, LockIcon, PlusIcon, UsersIcon } from "../../../components/icons";
import { KIND, KindMark, SESSION_KINDS, SESSION_STATUSES, STATUS, StatusPill, stateSummary, type SessionKind, type SessionStatus } from "../../../components/sessions/kinds";
import { TicketIcon } from "../../../components/sessions/SessionIcons";
import { timerComplete } from "../../../components/sessions/timing";
import { serverNow } from "../../../components/sessions/useServerClock";
import { formatRelative, useNow } from "../../../components/time";
import { Alert, Avatar, Button, EmptyState, PageHeader, Skeleton, buttonClass, cx, ui } from "../../../components/ui";
import { useTRPC, useTRPCClient } from "../../../trpc/react";
import type { RouterOutputs } from "../../../trpc/types";
import { CreateSessionDialog } from "./CreateSessionDialog";
import { JoinInviteDialog } from "./JoinInviteDialog";

type ListItem = RouterOutputs["sessions"]["list"]["items"][number];

const PAGE_SIZE = 12;

function SessionCard({ session, now }: { session: ListItem; now: number }) {
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
    <article className="session-card" data-kind={session.kind} data-testid="session-card" aria-labelledby={`session-${session.id}`}>
      <div className="session-card-top">
        <KindMark kind={session.kind} />
        <div className="session-card-tags">
          <span className="session-card-kind">{KIND[session.kind].label}</span>
          {/* Re-read with every `now` tick: a list is allowed to be a few seconds behind the 0:00. */}
          <StatusPill status={timerComplete(session.state, session.status, serverNow()) ? "complete" : session.status} />
          {session.visibility === "private" ? (
            <span className={ui.badge} title="Private: invite only">
              <LockIcon size={12} /> Private
            </span>
          ) : null}
        </div>
      </div>
      <div className="session-card-text">
        <h3 className="session-card-title" id={`session-${session.id}`}>
          <Link href={href}>{session.title}</Link>
        </h3>
        <p className="session-card-description">{session.description || KIND[session.kind].blurb}</p>
      </div>
      <p className="session-card-summary">{stateSummary(session.state)}</p>
      {error ? (
        <Alert tone="danger" role="alert">
          {error}
        </Alert>
      ) : null}
      <footer className="session-card-foot">
        <div className="session-card-host">
          <Avatar name={session.hostName ?? "?"} />
          <span className={ui.cellLines}>
            <span className="session-card-host-name">{session.hostName ?? "Unknown host"}</span>
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

function CardSkeleton() {
  return (
    <div className="session-card" aria-hidden="true">
      <div className="session-card-top">
        <Skeleton width={38} height={38} style={{ borderRadius: 10 }} />
        <Skeleton width={120} height={16} />
      </div>
      <Skeleton width="70%" height={18} />
      <Skeleton width="95%" height={14} />
      <Skeleton width="40%" height={14} />
      <div className="session-card-foot">
        <Skeleton width={140} height={30} />
        <Skeleton width={60} height={30} />
      </div>
    </div>
  );
}

export function SessionsView() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const now = useNow(30_000);
  const [kind, setKind] = useState<SessionKind | undefined>(undefined);
  const [status, setStatus] = useState<SessionStatus | undefined>(undefined);
  const [creating, setCreating] = useState(false);
  const [joining, setJoining] = useState(false);

  // Pages by cursor. (Not tRPC's infiniteQueryOptions: it adds a `direction` key to the input,
  // which sessions.list's strict input refuses.)
  const list = useInfiniteQuery({
    queryKey: [...trpc.sessions.list.pathKey(), { kind, status, pages: PAGE_SIZE }],
    queryFn: ({ pageParam }) => client.sessions.list.query({ kind, status, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 5_000,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = kind !== undefined || status !== undefined;

  return (
    <>
      <PageHeader
        eyebrow="Workspace"
        title="Sessions"
        description="Live group sessions: meditate, breathe, check in or write together, in step with everyone in the room."
        actions={
          <div className="page-actions">
            <Button onClick={() => setJoining(true)}>
              <TicketIcon size={15} />
              Join with invite
            </Button>
            <Button variant="primary" onClick={() => setCreating(true)}>
              <PlusIcon size={15} />
              New session
            </Button>
          </div>
        }
      />

      <div className="filters" role="toolbar" aria-label="Filter sessions">
        <div className="filter-pills" role="group" aria-label="Kind">
          <button type="button" className={cx("chip", kind === undefined && "chip-on")} aria-pressed={kind === undefined} onClick={() => setKind(undefined)}>
            All kinds
          </button>
          {SESSION_KINDS.map((k) => (
            <button key={k} type="button" className={cx("chip", kind === k && "chip-on")} aria-pressed={kind === k} onClick={() => setKind(k)}>
              <KindMark kind={k} size="sm" />
              {KIND[k].label}
            </button>
          ))}
        </div>
        <label className="filter-select">
          <span className={ui.label}>Status</span>
          <select className={ui.input} value={status ?? ""} onChange={(e) => setStatus((e.target.value || undefined) as SessionStatus | undefined)}>
            <option value="">Any status</option>
            {SESSION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS[s].label}
              </option>
            ))}
          </select>
        </label>
      </div>

      {list.isError ? (
        <Alert tone="danger" title="Sessions can't be loaded" role="alert">
          <p style={{ marginBottom: 10 }}>{errorMessage(list.error)}</p>
          <Button size="sm" onClick={() => void list.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : list.isPending ? (
        <div className="session-grid" aria-busy="true">
          <span className="sr-only" role="status">
            Loading sessions…
          </span>
          {[0, 1, 2].map((i) => (
            <CardSkeleton key={i} />
          ))}
        </div>
      ) : items.length === 0 ? (
        <div className={ui.card}>
          <EmptyState icon={<UsersIcon size={20} />} title={filtered ? "No sessions match these filters" : "No sessions yet"}>
            {filtered ? "Try another kind or status." : "Start the first one: a meditation, a breathing break, a check-in or a shared document."}
          </EmptyState>
          <div style={{ display: "flex", justifyContent: "center", gap: 10, paddingBottom: 28 }}>
            {filtered ? (
              <Button
                onClick={() => {
                  setKind(undefined);
                  setStatus(undefined);
                }}
              >
                Clear filters
              </Button>
            ) : (
              <Button variant="primary" onClick={() => setCreating(true)}>
                <PlusIcon size={15} />
                New session
              </Button>
            )}
          </div>
        </div>
      ) : (
        <>
          <div className="session-grid" data-testid="session-list">
            {items.map((session) => (
              <SessionCard key={session.id} session={session} now={now} />
            ))}
          </div>
          <div className="list-more">
            {list.hasNextPage ? (
              <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                Load more
              </Button>
            ) : (
              <span className="subtle" data-testid="session-count">
                {items.length} {items.length === 1 ? "session" : "sessions"}
                {filtered ? (items.length === 1 ? " matches" : " match") : ""}
              </span>
            )}
          </div>
        </>
      )}

      <CreateSessionDialog open={creating} onClose={() => setCreating(false)} />
      <JoinInviteDialog open={joining} onClose={() => setJoining(false)} />
    </>
  );
}
