"use client";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { CopyButton } from "@/components/CopyButton";
import { CheckCircleIcon } from "@/components/icons";
import { Chip, ChipRow } from "@/components/sessions/Chip";
import { formatDateTime, formatRelative, useNow } from "@/components/time";
import { Badge, Card, CardBody, CardHeader, EmptyState, LoadError, Skeleton } from "@/components/ui";
import type { ErrorGroupView } from "@/shared/analytics";
import { useTRPC } from "@/trpc/react";
import { formatCount } from "./format";
import shared from "./Analytics.module.css";
import styles from "./Errors.module.css";

const KINDS = [
  { value: undefined, label: "All" },
  { value: "server", label: "Server" },
  { value: "client", label: "Refused" },
] as const;

function routeLabel(route: string) {
  return route.startsWith("trpc:") ? route.slice(5) : route;
}

function ErrorGroup({ group, now, mine }: { group: ErrorGroupView; now: number; mine: boolean }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <li className={styles.errorItem} data-testid="error-group" data-open={open || undefined}>
      <button type="button" className={styles.errorSummary} aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((v) => !v)}>
        <span className={styles.errorCount} data-kind={group.kind} aria-label={`${group.count} times`}>
          {formatCount(group.count)}×
        </span>
        <span className={styles.errorText}>
          <span className={styles.errorMessage}>{group.message}</span>
          <span className={styles.errorMeta}>
            <Badge tone={group.kind === "server" ? "danger" : "warning"}>{group.code}</Badge>
            <code>{routeLabel(group.route)}</code>
            <span>last {formatRelative(group.lastSeen, now)}</span>
          </span>
        </span>
        <span className={styles.chevron} aria-hidden="true" />
      </button>
      {open ? (
        <div className={styles.errorPanel} id={panelId} data-testid="error-detail">
          <dl className={styles.details}>
            <div>
              <dt>Message</dt>
              <dd>{group.message}</dd>
            </div>
            <div>
              <dt>{group.kind === "server" ? "Server failure" : "Refused request"}</dt>
              <dd>
                <code>{group.code}</code> on <code>{group.route}</code>
              </dd>
            </div>
            <div>
              <dt>First seen</dt>
              <dd>{formatDateTime(group.firstSeen)}</dd>
            </div>
            <div>
              <dt>Last seen</dt>
              <dd>
                {formatDateTime(group.lastSeen)} <span className="subtle">({formatRelative(group.lastSeen, now)})</span>
              </dd>
            </div>
            <div className={styles.detailsWide}>
              <dt>Last request id</dt>
              <dd className={styles.requestId}>
                {group.lastRequestId ? (
                  <>
                    <code data-testid="error-last-request-id">{group.lastRequestId}</code>
                    <CopyButton text={group.lastRequestId} label="Copy id" quiet />
                  </>
                ) : (
                  <span className="subtle">Not recorded</span>
                )}
              </dd>
            </div>
          </dl>
          {group.sampleStack ? (
            <div className={styles.stack}>
              <h4 className={styles.stackTitle}>Sample stack</h4>
              <pre tabIndex={0} aria-label="Sample stack">
                {group.sampleStack}
              </pre>
            </div>
          ) : mine || group.kind === "client" ? null : (
            <p className="subtle">No stack was recorded for this error.</p>
          )}
        </div>
      ) : null}
    </li>
  );
}

/** Errors grouped by fingerprint (an admin: everyone's, with stacks; anyone else: their own). */
export function TopErrors({ windowS, span, mine }: { windowS: number; span: string; mine: boolean }) {
  const trpc = useTRPC();
  const now = useNow(15_000);
  const [kind, setKind] = useState<"server" | "client" | undefined>(undefined);
  const errors = useQuery(
    trpc.analytics.errors.queryOptions({ windowS, kind, limit: 20 }, { refetchInterval: 15_000, placeholderData: keepPreviousData }),
  );
  const groups = errors.data?.groups ?? [];

  return (
    <Card aria-labelledby="errors-title" data-testid="top-errors">
      <CardHeader
        titleId="errors-title"
        title={mine ? "Your errors" : "Top errors"}
        description={mine ? `Your failed requests ${span}, grouped.` : `Grouped by kind, route and message, ${span}. Open one for its details.`}
      />
      <CardBody>
        <ChipRow role="group" aria-label="Kind of error" className={styles.errorFilters}>
          {KINDS.map((k) => (
            <Chip key={k.label} on={kind === k.value} onClick={() => setKind(k.value)}>
              {k.label}
            </Chip>
          ))}
        </ChipRow>
        {errors.isError ? (
          <LoadError title="Errors can't be loaded" error={errors.error} onRetry={() => void errors.refetch()} />
        ) : errors.isPending ? (
          <div className={shared.skeletonRows} aria-busy="true">
            {[0, 1, 2].map((i) => (
              <Skeleton key={i} height={44} />
            ))}
          </div>
        ) : groups.length === 0 ? (
          <EmptyState icon={<CheckCircleIcon size={20} />} title="No errors in this window">
            {kind === "client" ? "No requests were refused." : kind === "server" ? "Nothing failed on the server." : "Everything answered fine."}
          </EmptyState>
        ) : (
          <ul className={styles.errorList} aria-label="Error groups">
            {groups.map((group) => (
              <ErrorGroup key={group.fingerprint} group={group} now={now} mine={mine} />
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
