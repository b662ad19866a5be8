"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { ShieldIcon, XIcon } from "@/components/icons";
import { formatDateTime, formatRelative, useNow } from "@/components/time";
import { Button, Card, CardBody, CardHeader, EmptyState, ListFooter, LoadError, Skeleton, Table, cx, tableStyles, ui } from "@/components/ui";
import { AUDIT_ACTION_GROUPS, auditActionLabel, type AuditEntry } from "@/shared/system";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { detailLine, targetLine } from "./format";
import styles from "./AuditLog.module.css";

const PAGE_SIZE = 25;

interface Actor {
  id: string;
  name: string;
}

function Row({ entry, now, onActor }: { entry: AuditEntry; now: number; onActor(actor: Actor): void }) {
  const detail = detailLine(entry.detail);
  return (
    <tr data-testid="audit-row" data-action={entry.action}>
      <td className={styles.when}>
        <time dateTime={new Date(entry.createdAt).toISOString()}>{formatDateTime(entry.createdAt)}</time>
        <span className={tableStyles.sub}>{formatRelative(entry.createdAt, now)}</span>
      </td>
      <td className={tableStyles.primary}>
        <span className={tableStyles.lines}>
          <span>{auditActionLabel(entry.action)}</span>
          <code className={tableStyles.sub}>{entry.action}</code>
        </span>
      </td>
      <td>
        {entry.actor ? (
          <span className={tableStyles.lines}>
            <button type="button" className={styles.actor} onClick={() => onActor(entry.actor!)} title={`Show only what ${entry.actor.name} did`}>
              {entry.actor.name}
            </button>
            <span className={tableStyles.sub}>{entry.actor.email}</span>
          </span>
        ) : (
          <span className="subtle">Nobody signed in</span>
        )}
      </td>
      <td className={styles.target}>
        <span className={tableStyles.lines}>
          <span>{targetLine(entry)}</span>
          {entry.targetUser ? <span className={tableStyles.sub}>{entry.targetUser.email}</span> : null}
        </span>
      </td>
      <td className={tableStyles.hideSm} title={detail || undefined}>
        {detail ? <span className={styles.detail}>{detail}</span> : <span className="subtle">—</span>}
      </td>
      <td className={cx(styles.ip, tableStyles.hideSm)}>{entry.ip ?? "—"}</td>
    </tr>
  );
}

/** Every audited action, newest first: by kind or one action, by who did it, page by page. */
export function AuditLog() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const titleId = useId();
  const [action, setAction] = useState<string | undefined>(undefined);
  const [actor, setActor] = useState<Actor | null>(null);
  const now = useNow(30_000);
  const actions = useQuery(trpc.admin.auditActions.queryOptions(undefined, { staleTime: 60_000 }));
  const actorId = actor?.id;
  // Pages by cursor (not infiniteQueryOptions: its `direction` key is refused by the strict input).
  const log = useInfiniteQuery({
    queryKey: [...trpc.admin.auditLog.pathKey(), { action, actorId, pages: PAGE_SIZE }],
    queryFn: ({ pageParam }) => client.admin.auditLog.query({ action, actorId, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 5_000,
  });
  const items = log.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = action !== undefined || actor !== null;

  return (
    <Card aria-labelledby={titleId} data-testid="audit-log">
      <CardHeader
        titleId={titleId}
        title="Audit log"
        description="Sign-ins and failed attempts, credentials, role changes, admin actions, load tests and help requests: newest first."
        actions={
          <Button size="sm" onClick={() => void log.refetch()} loading={log.isRefetching && !log.isFetchingNextPage}>
            Refresh
          </Button>
        }
      />
      <CardBody flush>
        <div className={styles.filters} role="toolbar" aria-label="Filter the audit log">
          <label className={styles.filter}>
            <span className={ui.label}>Action</span>
            <select className={cx(ui.input, styles.select)} value={action ?? ""} onChange={(e) => setAction(e.target.value || undefined)}>
              <option value="">Every action</option>
              <optgroup label="Kinds">
                {Object.entries(AUDIT_ACTION_GROUPS).map(([prefix, label]) => (
                  <option key={prefix} value={prefix}>
                    {label} ({prefix}*)
                  </option>
                ))}
              </optgroup>
              <optgroup label="Actions">
                {(actions.data ?? []).map((a) => (
                  <option key={a} value={a}>
                    {auditActionLabel(a)} ({a})
                  </option>
                ))}
              </optgroup>
            </select>
          </label>
          {actor ? (
            <span className={styles.actorFilter} data-testid="actor-filter">
              By {actor.name}
              <button type="button" className={styles.clear} onClick={() => setActor(null)} aria-label={`Show everyone, not only ${actor.name}`}>
                <XIcon size={14} />
              </button>
            </span>
          ) : (
            <span className={cx("subtle", styles.tip)}>Select a name to see only what that person did.</span>
          )}
        </div>
        {log.isError ? (
          <div className={styles.pad}>
            <LoadError title="The audit log can't be loaded" error={log.error} onRetry={() => void log.refetch()} />
          </div>
        ) : log.isPending ? (
          <div className={styles.pad} aria-busy="true">
            <span className="sr-only" role="status">
              Loading the audit log…
            </span>
            <Skeleton height={36} />
            <Skeleton height={36} />
            <Skeleton height={36} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon={<ShieldIcon size={20} />} title={filtered ? "Nothing matches these filters" : "Nothing recorded yet"}>
            {filtered ? "Try another action, or everyone." : "Sign-ins, role changes and admin actions appear here as they happen."}
          </EmptyState>
        ) : (
          <>
            <Table aria-labelledby={titleId} className={styles.table}>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Action</th>
                  <th scope="col">Who</th>
                  <th scope="col">Target</th>
                  <th scope="col" className={tableStyles.hideSm}>
                    Details
                  </th>
                  <th scope="col" className={tableStyles.hideSm}>
                    IP
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((entry) => (
                  <Row key={entry.id} entry={entry} now={now} onActor={setActor} />
                ))}
              </tbody>
            </Table>
            <ListFooter
              count={items.length}
              noun={["entry", "entries"]}
              filtered={filtered}
              hasMore={log.hasNextPage}
              loadingMore={log.isFetchingNextPage}
              onLoadMore={() => void log.fetchNextPage()}
              testId="audit-count"
            />
          </>
        )}
      </CardBody>
    </Card>
  );
}
