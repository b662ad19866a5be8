"use client";
import { useQuery } from "@tanstack/react-query";
import { AlertIcon, UsersIcon, ZapIcon } from "@/components/icons";
import { Card, LoadError, Skeleton } from "@/components/ui";
import type { SummaryResult, UsageFigure } from "@/shared/analytics";
import { useTRPC } from "@/trpc/react";
import { formatBytes, formatCount, formatPercent } from "./format";
import shared from "./Analytics.module.css";
import styles from "./Usage.module.css";

function figureValue(figure: Pick<UsageFigure, "unit" | "value">): string {
  return figure.unit === "bytes" ? formatBytes(figure.value) : formatCount(figure.value);
}

function Figure({ figure }: { figure: UsageFigure }) {
  const total = figure.breakdown?.reduce((sum, part) => sum + part.value, 0) ?? 0;
  return (
    <div className={styles.figure} data-testid={`figure-${figure.key}`}>
      <dt className={styles.figureLabel}>{figure.label}</dt>
      <dd className={styles.figureValue}>
        {figureValue(figure)}
        {figure.unit === "tokens" ? <span className={styles.figureUnit}> tokens</span> : null}
      </dd>
      {figure.breakdown?.length ? (
        <dd className={styles.breakdown}>
          <span className={styles.breakdownBar} aria-hidden="true">
            {figure.breakdown.map((part, i) =>
              part.value > 0 ? <span key={part.key} data-part={i % 5} style={{ flexGrow: part.value / (total || 1) }} /> : null,
            )}
          </span>
          <ul className={styles.breakdownList}>
            {figure.breakdown.map((part, i) => (
              <li key={part.key}>
                <span className={styles.breakdownDot} data-part={i % 5} aria-hidden="true" />
                {part.label} <strong>{figure.unit === "bytes" ? formatBytes(part.value) : formatCount(part.value)}</strong>
              </li>
            ))}
          </ul>
        </dd>
      ) : null}
    </div>
  );
}

function Headline({ summary }: { summary: SummaryResult }) {
  const items = [
    { key: "requests", Icon: ZapIcon, label: "Requests, 24 h", value: formatCount(summary.requests.total24h) },
    {
      key: "error-rate",
      Icon: AlertIcon,
      label: "Error rate, 24 h",
      value: formatPercent(summary.requests.errorRate),
      sub: `${formatCount(summary.requests.errors24h)} failed`,
    },
    ...(summary.users
      ? [{ key: "users", Icon: UsersIcon, label: "People", value: formatCount(summary.users.total), sub: `${formatCount(summary.users.active24h)} active in 24 h` }]
      : []),
  ];
  return (
    <dl className={styles.usageHeadline}>
      {items.map(({ key, Icon, label, value, sub }) => (
        <Card as="div" key={key} className={shared.tile} data-testid={`usage-${key}`}>
          <dt className={shared.tileHead}>
            <span className={shared.tileIcon}>
              <Icon size={14} />
            </span>
            <span className={shared.tileLabel}>{label}</span>
          </dt>
          <dd className={shared.tileValue}>{value}</dd>
          {sub ? <dd className={shared.tileDetail}>{sub}</dd> : null}
        </Card>
      ))}
    </dl>
  );
}

/** `analytics.summary` as cards: the platform for an admin, one's own use for anyone else. */
export function Usage() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.analytics.summary.queryOptions(undefined, { refetchInterval: 60_000 }));
  const mine = summary.data?.scope !== "platform";

  return (
    <section aria-labelledby="usage-title" className={styles.usage} data-testid="usage">
      <div className={shared.sectionHead}>
        <h2 id="usage-title" className={shared.sectionTitle}>
          {summary.data ? (mine ? "Your usage" : "Platform usage") : "Usage"}
        </h2>
        <span className={shared.liveMeta}>Last 24 hours and to date</span>
      </div>
      {summary.isError ? (
        <LoadError title="Usage can't be loaded" error={summary.error} onRetry={() => void summary.refetch()} />
      ) : summary.isPending ? (
        <div className={styles.sections} aria-busy="true">
          <span className="sr-only" role="status">
            Loading usage…
          </span>
          {[0, 1, 2].map((i) => (
            <Card as="div" key={i} className={styles.section}>
              <Skeleton width="40%" height={16} />
              <Skeleton width="60%" height={28} />
              <Skeleton width="80%" />
            </Card>
          ))}
        </div>
      ) : (
        <>
          <Headline summary={summary.data} />
          <div className={styles.sections}>
            {summary.data.sections.map((section) => (
              <Card key={section.feature} className={styles.section} aria-labelledby={`usage-${section.feature}`} data-testid={`usage-section-${section.feature}`}>
                <h3 id={`usage-${section.feature}`} className={styles.sectionCardTitle}>
                  {section.title}
                </h3>
                <dl className={styles.figures}>
                  {section.figures.map((figure) => (
                    <Figure key={figure.key} figure={figure} />
                  ))}
                </dl>
              </Card>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
