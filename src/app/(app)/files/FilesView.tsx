"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { ConnectionIndicator } from "@/components/ConnectionIndicator";
import { FileIcon } from "@/components/icons";
import { useJobUpdates } from "@/components/jobs/useJobUpdates";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { useNow } from "@/components/time";
import { Button, EmptyState, LoadError, PageHeader, Skeleton, buttonClass, ui } from "@/components/ui";
import { FILE_KINDS, formatBytes, type FileKind } from "@/shared/files";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { FileRow } from "./FileRow";
import { NewFileCard } from "./NewFileCard";
import { KIND_UI } from "./kinds";
import styles from "./Files.module.css";

const PAGE_SIZE = 20;

export function FilesView() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const now = useNow(15_000);
  const [kind, setKind] = useState<FileKind | undefined>(undefined);
  const [started, setStarted] = useState<string | null>(null);
  const live = useJobUpdates();
  const usage = useQuery(trpc.files.usage.queryOptions());

  // Pages by cursor (not infiniteQueryOptions: its `direction` key is refused by the strict input).
  const list = useInfiniteQuery({
    queryKey: [...trpc.files.list.pathKey(), { kind, pages: PAGE_SIZE }],
    queryFn: ({ pageParam }) => client.files.list.query({ kind, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const files = list.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        eyebrow="Workspace"
        title="Files"
        description="PDF and Word reports, CSV exports and screenshots of web pages, made in the background. Leave the page if you like: they keep going."
        actions={
          <Link className={buttonClass()} href="/jobs">
            All jobs
          </Link>
        }
      />
      <div className={styles.layout}>
        <NewFileCard onCreated={({ name }) => setStarted(name)} />

        <section className={ui.card} aria-labelledby="your-files-title">
          <div className={ui.cardHeader}>
            <div className={ui.cardHeaderText}>
              <h2 className={ui.cardTitle} id="your-files-title">
                Your files
              </h2>
              <UsageMeter usage={usage.data} />
            </div>
            <ConnectionIndicator />
          </div>
          <div className={styles.filters}>
            <ChipRow role="group" aria-label="Show files of kind">
              <Chip on={kind === undefined} onClick={() => setKind(undefined)}>
                All
              </Chip>
              {FILE_KINDS.map((k) => (
                <Chip key={k} on={kind === k} onClick={() => setKind(k)}>
                  {KIND_UI[k].label}
                </Chip>
              ))}
            </ChipRow>
          </div>
          <p className="sr-only" role="status" aria-live="polite">
            {started ? `Started ${started}. Its progress is in the list.` : ""}
          </p>

          {list.isError ? (
            <div className={styles.pad}>
              <LoadError title="Your files can't be loaded" error={list.error} onRetry={() => void list.refetch()} />
            </div>
          ) : list.isPending ? (
            <ul className={styles.rows} aria-busy="true">
              {[0, 1, 2].map((i) => (
                <li key={i} className={styles.row}>
                  <Skeleton width={40} height={40} />
                  <div className={styles.main}>
                    <Skeleton width="55%" height={14} />
                    <Skeleton width="35%" height={12} />
                  </div>
                </li>
              ))}
            </ul>
          ) : files.length === 0 ? (
            <EmptyState icon={<FileIcon size={20} />} title={kind ? "No files of this kind yet" : "No files yet"}>
              {kind ? "Try another kind, or make one with the form." : "Make your first one with the form: the example report is ready to go."}
            </EmptyState>
          ) : (
            <>
              <ul className={styles.rows} data-testid="file-list">
                {files.map((file) => (
                  <FileRow key={file.id} file={file} liveJob={file.jobId ? live.byId.get(file.jobId) : undefined} now={now} />
                ))}
              </ul>
              {list.hasNextPage && (
                <div className={styles.more}>
                  <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                    Load more
                  </Button>
                </div>
              )}
            </>
          )}
        </section>
      </div>
    </>
  );
}

function UsageMeter({ usage }: { usage: { usedBytes: number; quotaBytes: number; files: number } | undefined }) {
  if (!usage) return <p className={ui.cardDescription}>&nbsp;</p>;
  const percent = Math.min(100, Math.round((usage.usedBytes / usage.quotaBytes) * 100));
  return (
    <div className={styles.usage}>
      <p className={ui.cardDescription} data-testid="usage">
        {formatBytes(usage.usedBytes)} of {formatBytes(usage.quotaBytes)} used · {usage.files} {usage.files === 1 ? "file" : "files"}
      </p>
      <div
        className={styles.usageTrack}
        role="meter"
        aria-label="Storage used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}% of your storage`}
        data-full={percent >= 90 || undefined}
      >
        <div className={styles.usageFill} style={{ width: `${Math.max(percent, 1)}%` }} />
      </div>
    </div>
  );
}
