"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { PlusIcon, UsersIcon } from "@/components/icons";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { KIND, KindMark, SESSION_KINDS, SESSION_STATUSES, STATUS, type SessionKind, type SessionStatus } from "@/components/sessions/kinds";
import { TicketIcon } from "@/components/sessions/SessionIcons";
import { useNow } from "@/components/time";
import { Button, EmptyState, ListFooter, LoadError, PageHeader, cx, ui } from "@/components/ui";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { CreateSessionDialog } from "./CreateSessionDialog";
import { JoinInviteDialog } from "./JoinInviteDialog";
import { SessionCard } from "./SessionCard";
import { SessionCardSkeleton } from "./SessionCardSkeleton";
import styles from "./SessionsView.module.css";

const PAGE_SIZE = 12;

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
          <div className={styles.pageActions}>
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

      <div className={styles.filters} role="toolbar" aria-label="Filter sessions">
        <ChipRow role="group" aria-label="Kind">
          <Chip on={kind === undefined} onClick={() => setKind(undefined)}>
            All kinds
          </Chip>
          {SESSION_KINDS.map((k) => (
            <Chip key={k} on={kind === k} onClick={() => setKind(k)}>
              <KindMark kind={k} size="sm" />
              {KIND[k].label}
            </Chip>
          ))}
        </ChipRow>
        <label className={styles.statusFilter}>
          <span className={ui.label}>Status</span>
          <select className={cx(ui.input, styles.statusSelect)} value={status ?? ""} onChange={(e) => setStatus((e.target.value || undefined) as SessionStatus | undefined)}>
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
        <LoadError title="Sessions can't be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <div className={styles.grid} aria-busy="true">
          <span className="sr-only" role="status">
            Loading sessions…
          </span>
          {[0, 1, 2].map((i) => (
            <SessionCardSkeleton key={i} />
          ))}
        </div>
      ) : items.length === 0 ? (
        <div className={ui.card}>
          <EmptyState icon={<UsersIcon size={20} />} title={filtered ? "No sessions match these filters" : "No sessions yet"}>
            {filtered ? "Try another kind or status." : "Start the first one: a meditation, a breathing break, a check-in or a shared document."}
          </EmptyState>
          <div className={styles.emptyActions}>
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
          <div className={styles.grid} data-testid="session-list">
            {items.map((session) => (
              <SessionCard key={session.id} session={session} now={now} />
            ))}
          </div>
          <ListFooter
            count={items.length}
            noun={["session", "sessions"]}
            filtered={filtered}
            hasMore={list.hasNextPage}
            loadingMore={list.isFetchingNextPage}
            onLoadMore={() => void list.fetchNextPage()}
            testId="session-count"
          />
        </>
      )}

      <CreateSessionDialog open={creating} onClose={() => setCreating(false)} />
      <JoinInviteDialog open={joining} onClose={() => setJoining(false)} />
    </>
  );
}
