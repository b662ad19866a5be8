"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { GaugeIcon } from "@/components/icons";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { formatDateTime, formatRelative, useNow } from "@/components/time";
import { Badge, Card, CardBody, CardHeader, EmptyState, ListFooter, LoadError, Skeleton, Table, cx, tableStyles } from "@/components/ui";
import { LOAD_TEST_SCENARIOS, type LoadTestRunSummary, type LoadTestScenario } from "@/shared/load-tests";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { errorRate, formatCount, formatMs, formatPercent, formatRate, GRADE_TONE, loadWords, scenarioLabel, STATUS_LABEL, STATUS_TONE } from "./format";
import styles from "./History.module.css";

const PAGE_SIZE = 10;

function Row({ run, selected, now, onOpen }: { run: LoadTestRunSummary; selected: boolean; now: number; onOpen(): void }) {
  const r = run.result;
  return (
    <tr
      className={styles.row}
      data-testid="lt-history-row"
      data-run-id={run.id}
      data-status={run.status}
      aria-current={selected || undefined}
      // The whole row opens the run; the button in its first cell is the keyboard's way in.
      onClick={onOpen}
    >
      <td className={tableStyles.primary}>
        <button type="button" className={styles.open} onClick={(e) => (e.stopPropagation(), onOpen())} aria-label={`Open the run of ${formatDateTime(run.startedAt)}`}>
          <time dateTime={new Date(run.startedAt).toISOString()}>{formatDateTime(run.startedAt)}</time>
        </button>
        <span className={tableStyles.sub}>{run.startedBy ? `${run.startedBy.name} · ` : ""}{formatRelative(run.startedAt, now)}</span>
      </td>
      <td>
        <Badge tone={STATUS_TONE[run.status]} dot data-testid="lt-history-status">
          {STATUS_LABEL[run.status]}
        </Badge>
      </td>
      <td className={tableStyles.hideSm}>{scenarioLabel(run.scenario)}</td>
      <td className={cx(styles.num, tableStyles.hideSm)}>{loadWords(run.config.connections, run.config.durationS)}</td>
      <td className={styles.num}>{r ? formatRate(r.requestsPerS) : "—"}</td>
      <td className={cx(styles.num, tableStyles.hideSm)}>{r ? formatMs(r.p99) : "—"}</td>
      <td className={cx(styles.num, tableStyles.hideSm)}>{r ? `${formatCount(r.errors)}${r.errors ? ` (${formatPercent(errorRate(r.requests, r.errors))})` : ""}` : "—"}</td>
      <td className={styles.gradeCell}>
        {r ? (
          <span className={styles.grade} data-tone={GRADE_TONE[r.grade]} data-testid="lt-history-grade" title={r.gradeReason}>
            {r.grade}
          </span>
        ) : (
          "—"
        )}
      </td>
    </tr>
  );
}

/** Past runs, newest first, by scenario if asked; a row opens its detail. */
export function History({ selectedId, onOpen }: { selectedId: string | null; onOpen(runId: string): void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const titleId = useId();
  const [scenario, setScenario] = useState<LoadTestScenario | undefined>(undefined);
  const now = useNow(30_000);
  // Pages by cursor (not infiniteQueryOptions: its `direction` key is refused by the strict input).
  const list = useInfiniteQuery({
    queryKey: [...trpc.loadTest.list.pathKey(), { scenario, pages: PAGE_SIZE }],
    queryFn: ({ pageParam }) => client.loadTest.list.query({ scenario, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 5_000,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <Card aria-labelledby={titleId} data-testid="lt-history">
      <CardHeader
        titleId={titleId}
        title="History"
        description="Every run, newest first. Open one for its result, its comparison with the run before it, and exports."
      />
      <CardBody flush>
        <ChipRow role="group" aria-label="Scenario" className={styles.filters}>
          <Chip on={scenario === undefined} onClick={() => setScenario(undefined)}>
            All
          </Chip>
          {LOAD_TEST_SCENARIOS.map((s) => (
            <Chip key={s} on={scenario === s} onClick={() => setScenario(s)}>
              {scenarioLabel(s)}
            </Chip>
          ))}
        </ChipRow>
        {list.isError ? (
          <div className={styles.pad}>
            <LoadError title="Past runs can't be loaded" error={list.error} onRetry={() => void list.refetch()} />
          </div>
        ) : list.isPending ? (
          <div className={styles.pad} aria-busy="true">
            <span className="sr-only" role="status">
              Loading past runs…
            </span>
            <Skeleton height={36} />
            <Skeleton height={36} />
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon={<GaugeIcon size={20} />} title={scenario ? "No runs of this scenario yet" : "No runs yet"}>
            Start a run above: it shows up here when it begins, with its grade when it ends.
          </EmptyState>
        ) : (
          <>
            <Table className={styles.table} aria-labelledby={titleId}>
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
                  <th scope="col" className={tableStyles.hideSm}>
                    Scenario
                  </th>
                  <th scope="col" className={cx(styles.num, tableStyles.hideSm)}>
                    Connections × duration
                  </th>
                  <th scope="col" className={styles.num}>
                    Req/s
                  </th>
                  <th scope="col" className={cx(styles.num, tableStyles.hideSm)}>
                    p99
                  </th>
                  <th scope="col" className={cx(styles.num, tableStyles.hideSm)}>
                    Errors
                  </th>
                  <th scope="col">Grade</th>
                </tr>
              </thead>
              <tbody>
                {items.map((run) => (
                  <Row key={run.id} run={run} selected={run.id === selectedId} now={now} onOpen={() => onOpen(run.id)} />
                ))}
              </tbody>
            </Table>
            <ListFooter
              count={items.length}
              noun={["run", "runs"]}
              filtered={scenario !== undefined}
              hasMore={list.hasNextPage}
              loadingMore={list.isFetchingNextPage}
              onLoadMore={() => void list.fetchNextPage()}
              testId="lt-history-count"
            />
          </>
        )}
      </CardBody>
    </Card>
  );
}
