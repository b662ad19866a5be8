"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ConnectionIndicator } from "@/components/ConnectionIndicator";
import { LayersIcon, PlusIcon } from "@/components/icons";
import { JOB_STATUS_LABEL } from "@/components/jobs/JobStatus";
import { useJobUpdates } from "@/components/jobs/useJobUpdates";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { useNow } from "@/components/time";
import { Button, EmptyState, ListFooter, LoadError, PageHeader, buttonClass, cx, ui } from "@/components/ui";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { FILE_JOB_TYPES } from "@/shared/files";
import { JOB_STATUSES, isFinished, type JobStatus } from "@/shared/jobs";
import { JobCard, JobCardSkeleton } from "./JobCard";
import { typeLabel } from "./jobText";
import styles from "./JobsView.module.css";

const PAGE_SIZE = 20;
const JOB_TYPES: string[] = Object.values(FILE_JOB_TYPES);

export function JobsView() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const [status, setStatus] = useState<JobStatus | undefined>(undefined);
  const [type, setType] = useState<string | undefined>(undefined);
  const live = useJobUpdates();

  // Pages by cursor. (Not tRPC's infiniteQueryOptions: it adds a `direction` key to the input,
  // which jobs.list's strict input refuses.)
  const list = useInfiniteQuery({
    queryKey: [...trpc.jobs.list.pathKey(), { status, type, pages: PAGE_SIZE }],
    queryFn: ({ pageParam }) => client.jobs.list.query({ status, type, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 5_000,
  });
  // The list as fetched, each job overlaid with its latest live state.
  const items = (list.data?.pages.flatMap((page) => page.items) ?? []).map(live.latest);
  const filtered = status !== undefined || type !== undefined;
  // Seconds matter while something runs or waits for its retry; otherwise the times age slowly.
  const now = useNow(items.some((job) => !isFinished(job.status)) ? 1_000 : 30_000);

  function clearFilters() {
    setStatus(undefined);
    setType(undefined);
  }

  const newFile = (
    <Link href="/files" className={buttonClass({ variant: "primary" })}>
      <PlusIcon size={15} />
      New file
    </Link>
  );

  return (
    <>
      <PageHeader
        eyebrow="Workspace"
        title="Jobs"
        description="Everything Pulse does for you in the background: documents, exports and screenshots. Follow each one live; cancel or retry."
        actions={
          <div className={styles.pageActions}>
            <span className={styles.connection}>
              <ConnectionIndicator pill />
            </span>
            {newFile}
          </div>
        }
      />

      <div className={styles.filters} role="toolbar" aria-label="Filter jobs">
        <ChipRow role="group" aria-label="Status">
          <Chip on={status === undefined} onClick={() => setStatus(undefined)}>
            All
          </Chip>
          {JOB_STATUSES.map((s) => (
            <Chip key={s} on={status === s} onClick={() => setStatus(s)} data-status={s}>
              <span className={styles.chipDot} data-status={s} aria-hidden="true" />
              {JOB_STATUS_LABEL[s]}
            </Chip>
          ))}
        </ChipRow>
        <label className={styles.typeFilter}>
          <span className={ui.label}>Type</span>
          <select className={cx(ui.input, styles.typeSelect)} value={type ?? ""} onChange={(e) => setType(e.target.value || undefined)}>
            <option value="">Any type</option>
            {JOB_TYPES.map((t) => (
              <option key={t} value={t}>
                {typeLabel(t)}
              </option>
            ))}
          </select>
        </label>
      </div>

      {list.isError ? (
        <LoadError title="Jobs can't be loaded" error={list.error} onRetry={() => void list.refetch()} />
      ) : list.isPending ? (
        <div aria-busy="true">
          <span className="sr-only" role="status">
            Loading jobs…
          </span>
          <ul className={styles.list}>
            {[0, 1, 2].map((i) => (
              <JobCardSkeleton key={i} />
            ))}
          </ul>
        </div>
      ) : items.length === 0 ? (
        <div className={ui.card}>
          <EmptyState icon={<LayersIcon size={20} />} title={filtered ? "No jobs match these filters" : "No jobs yet"}>
            {filtered
              ? "Try another status or type."
              : "Ask for a PDF, a Word document, a CSV export or a screenshot on the Files page: its job shows up here, live."}
          </EmptyState>
          <div className={styles.emptyActions}>{filtered ? <Button onClick={clearFilters}>Clear filters</Button> : newFile}</div>
        </div>
      ) : (
        <>
          <ul className={styles.list} aria-label="Jobs" data-testid="job-list">
            {items.map((job) => (
              <JobCard key={job.id} job={job} now={now} />
            ))}
          </ul>
          <ListFooter
            count={items.length}
            noun={["job", "jobs"]}
            filtered={filtered}
            hasMore={list.hasNextPage}
            loadingMore={list.isFetchingNextPage}
            onLoadMore={() => void list.fetchNextPage()}
            testId="job-count"
          />
        </>
      )}
    </>
  );
}
