"use client";
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { GlobeIcon } from "@/components/icons";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { formatClock, formatDate } from "@/components/time";
import { Badge, Button, Card, CardBody, CardHeader, EmptyState, ListFooter, LoadError, Skeleton, Table, cx, tableStyles, ui, type Tone } from "@/components/ui";
import type { RequestEntry } from "@/shared/analytics";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { formatMs } from "./format";
import shared from "./Analytics.module.css";
import styles from "./RequestLog.module.css";

const PAGE_SIZE = 25;
const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;
type StatusClass = (typeof STATUS_CLASSES)[number];
/** HTTP methods, and "WS" for a tRPC call over the WebSocket. */
const METHODS = ["GET", "POST", "WS"] as const;
/** The longest "path contains" the page sends. */
const PATH_MAX = 200;

function useDebounced<T>(value: T, ms = 300): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

function statusTone(status: number): Tone {
  if (status >= 500) return "danger";
  if (status >= 400) return "warning";
  if (status >= 300) return "info";
  return "success";
}

function RequestRow({ entry, showDay }: { entry: RequestEntry; showDay: boolean }) {
  return (
    <tr data-testid="request-row" data-status={entry.status} data-path={entry.path}>
      <td className={cx(shared.num, styles.time)}>
        <time dateTime={new Date(entry.at).toISOString()}>
          {showDay ? `${formatDate(entry.at)} ` : ""}
          {formatClock(entry.at)}
        </time>
      </td>
      <td className={tableStyles.hideSm}>
        <span className={styles.method}>{entry.method}</span>
      </td>
      <td className={tableStyles.primary}>
        <code className={styles.path} title={entry.path}>
          {entry.path}
        </code>
        {/* Phones drop the method's column: it rides under the path. */}
        <span className={styles.methodInline}>{entry.method}</span>
      </td>
      <td>
        <Badge tone={statusTone(entry.status)} title={entry.code ?? undefined}>
          {entry.status}
          {entry.code ? <span className={styles.code}> {entry.code}</span> : null}
        </Badge>
      </td>
      <td className={shared.num}>{formatMs(entry.durationMs)}</td>
      <td className={cx(tableStyles.hideSm, styles.wideOnly)}>{entry.transport === "ws" ? "WebSocket" : "HTTP"}</td>
      <td className={cx(tableStyles.hideSm, styles.reqId)}>
        <code title={entry.requestId}>{entry.requestId}</code>
      </td>
    </tr>
  );
}

/** Recent requests, newest first, with filters; "Load more" pages by cursor. */
export function RequestLog({ windowS, span, mine }: { windowS: number; span: string; mine: boolean }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [method, setMethod] = useState<string>("");
  const [statusClass, setStatusClass] = useState<StatusClass | undefined>(undefined);
  const [pathInput, setPathInput] = useState("");
  const [minInput, setMinInput] = useState("");
  const [transport, setTransport] = useState<"" | "http" | "ws">("");
  const path = useDebounced(pathInput.trim().slice(0, PATH_MAX));
  const minParsed = useDebounced(minInput.trim() === "" ? undefined : Number(minInput));
  const minDurationMs = minParsed !== undefined && Number.isFinite(minParsed) && minParsed >= 0 ? Math.min(minParsed, 3_600_000) : undefined;
  const minInvalid = minInput.trim() !== "" && !(Number(minInput) >= 0);

  const filters = {
    windowS,
    method: method || undefined,
    statusClass,
    path: path || undefined,
    minDurationMs,
    transport: transport || undefined,
  };
  // Pages by cursor by hand: tRPC's infiniteQueryOptions adds a `direction` key to the input,
  // which the strict input refuses (as on the Jobs page).
  const list = useInfiniteQuery({
    queryKey: [...trpc.analytics.requests.pathKey(), { ...filters, limit: PAGE_SIZE }],
    queryFn: ({ pageParam }) => client.analytics.requests.query({ ...filters, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.entries(filters).some(([key, value]) => key !== "windowS" && value !== undefined);
  const showDay = windowS > 24 * 60 * 60;

  function clear() {
    setMethod("");
    setStatusClass(undefined);
    setPathInput("");
    setMinInput("");
    setTransport("");
  }

  return (
    <Card aria-labelledby="requests-title" data-testid="request-log">
      <CardHeader
        titleId="requests-title"
        title={mine ? "Your recent requests" : "Request log"}
        description={`Newest first, ${span}.`}
        actions={
          <Button size="sm" variant="ghost" onClick={() => void list.refetch()} loading={list.isRefetching && !list.isFetchingNextPage}>
            Refresh
          </Button>
        }
      />
      <CardBody className={styles.filterBar}>
        <div className={styles.filterFields} role="group" aria-label="Filter requests">
          <label className={styles.filterField}>
            <span className={ui.label}>Path contains</span>
            <input
              className={ui.input}
              type="search"
              value={pathInput}
              maxLength={PATH_MAX}
              placeholder="e.g. sessions"
              onChange={(e) => setPathInput(e.target.value)}
            />
          </label>
          <label className={styles.filterField}>
            <span className={ui.label}>Method</span>
            <select className={ui.input} value={method} onChange={(e) => setMethod(e.target.value)}>
              <option value="">Any</option>
              {METHODS.map((m) => (
                <option key={m} value={m}>
                  {m === "WS" ? "WS (tRPC over WebSocket)" : m}
                </option>
              ))}
            </select>
          </label>
          <label className={styles.filterField}>
            <span className={ui.label}>Transport</span>
            <select className={ui.input} value={transport} onChange={(e) => setTransport(e.target.value as "" | "http" | "ws")}>
              <option value="">Any</option>
              <option value="http">HTTP</option>
              <option value="ws">WebSocket</option>
            </select>
          </label>
          <label className={styles.filterField}>
            <span className={ui.label}>Slower than (ms)</span>
            <input
              className={ui.input}
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              value={minInput}
              placeholder="0"
              aria-invalid={minInvalid || undefined}
              onChange={(e) => setMinInput(e.target.value)}
            />
          </label>
        </div>
        <ChipRow role="group" aria-label="Status">
          <Chip on={statusClass === undefined} onClick={() => setStatusClass(undefined)}>
            Any status
          </Chip>
          {STATUS_CLASSES.map((c) => (
            <Chip key={c} on={statusClass === c} onClick={() => setStatusClass(c)}>
              {c}
            </Chip>
          ))}
        </ChipRow>
      </CardBody>
      {list.isError ? (
        <CardBody>
          <LoadError title="Requests can't be loaded" error={list.error} onRetry={() => void list.refetch()} />
        </CardBody>
      ) : list.isPending ? (
        <CardBody>
          <div className={shared.skeletonRows} aria-busy="true">
            <span className="sr-only" role="status">
              Loading requests…
            </span>
            {[0, 1, 2, 3, 4].map((i) => (
              <Skeleton key={i} height={18} />
            ))}
          </div>
        </CardBody>
      ) : items.length === 0 ? (
        <EmptyState icon={<GlobeIcon size={20} />} title={filtered ? "No requests match these filters" : "No requests in this window yet"}>
          {filtered ? (
            <Button size="sm" onClick={clear}>
              Clear filters
            </Button>
          ) : (
            "Requests show up here a few seconds after they are made."
          )}
        </EmptyState>
      ) : (
        <CardBody flush>
          <Table aria-label={mine ? "Your recent requests" : "Recent requests"} aria-busy={list.isFetching || undefined} className={styles.requestTable}>
            <thead>
              <tr>
                <th>Time</th>
                <th className={tableStyles.hideSm}>Method</th>
                <th>Path</th>
                <th>Status</th>
                <th className={shared.num}>Duration</th>
                <th className={cx(tableStyles.hideSm, styles.wideOnly)}>Transport</th>
                <th className={tableStyles.hideSm}>Request id</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <RequestRow key={entry.id} entry={entry} showDay={showDay} />
              ))}
            </tbody>
          </Table>
        </CardBody>
      )}
      {items.length ? (
        <ListFooter
          className={styles.footer}
          count={items.length}
          noun={["request", "requests"]}
          filtered={filtered}
          hasMore={list.hasNextPage}
          loadingMore={list.isFetchingNextPage}
          onLoadMore={() => void list.fetchNextPage()}
          testId="request-count"
        />
      ) : null}
    </Card>
  );
}
