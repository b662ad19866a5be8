"use client";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import { ConnectionIndicator } from "@/components/ConnectionIndicator";
import { errorMessage } from "@/components/errors";
import {
  AlertIcon,
  ClockIcon,
  CpuIcon,
  DatabaseIcon,
  LayersIcon,
  MemoryIcon,
  PlugIcon,
} from "@/components/icons";
import { formatClock, formatDuration, formatRelative, useNow } from "@/components/time";
import { Alert, Card, cx, layout, PageHeader, Skeleton, StatusBadge, type HealthStatus } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import styles from "./StatusView.module.css";

type Snapshot = RouterOutputs["health"]["check"];
// The checks this page draws; features may add more, named "feature.check".
type CheckName = Exclude<keyof Snapshot["checks"], `${string}.${string}`>;

/** How many snapshots the sparklines and the history strip remember (2 s apart: 80 s). */
const HISTORY = 40;
/** A snapshot older than this (the server sends one every 2 s) is shown as stale. */
const STALE_MS = 7_000;

const CHECKS: { name: CheckName; label: string; Icon: typeof DatabaseIcon; unit: string; help: string }[] = [
  { name: "database", label: "Database", Icon: DatabaseIcon, unit: "ms", help: "Round-trip time of a query to PostgreSQL." },
  { name: "migrations", label: "Migrations", Icon: LayersIcon, unit: "pending", help: "Database schema changes not yet applied." },
  { name: "eventLoop", label: "Event loop", Icon: CpuIcon, unit: "ms", help: "p99 delay of the server's event loop; high means it is too busy." },
  { name: "heap", label: "Memory", Icon: MemoryIcon, unit: "% of heap", help: "JavaScript heap in use, of its limit." },
  { name: "websockets", label: "Realtime connections", Icon: PlugIcon, unit: "open", help: "WebSocket connections open on this instance." },
  { name: "errorRate", label: "Error rate", Icon: AlertIcon, unit: "%", help: "Requests that failed with a server error, last 5 minutes." },
];

const HEADLINE: Record<HealthStatus, string> = {
  ok: "All systems operational",
  degraded: "Some systems are degraded",
  unhealthy: "Pulse is having problems",
};

function ScoreRing({ score }: { score: number }) {
  const radius = 54;
  const circumference = 2 * Math.PI * radius;
  return (
    <div className={styles.score} role="img" aria-label={`Health score ${score} out of 100`}>
      <svg viewBox="0 0 132 132" aria-hidden="true">
        <circle className={styles.scoreTrack} cx="66" cy="66" r={radius} fill="none" strokeWidth="10" />
        <circle
          className={styles.scoreValue}
          cx="66"
          cy="66"
          r={radius}
          fill="none"
          strokeWidth="10"
          strokeLinecap="round"
          strokeDasharray={circumference}
          strokeDashoffset={circumference * (1 - Math.max(0, Math.min(100, score)) / 100)}
        />
      </svg>
      <div className={styles.scoreLabel} aria-hidden="true">
        <span className={styles.scoreNumber} data-testid="health-score">
          {score}
        </span>
        <span className={styles.scoreCaption}>Score</span>
      </div>
    </div>
  );
}

function Sparkline({ values }: { values: number[] }) {
  const width = 200;
  const height = 36;
  const baseline = <line className={styles.sparkBase} x1="0" x2={width} y1={height - 1} y2={height - 1} vectorEffect="non-scaling-stroke" />;
  if (values.length < 2) {
    return (
      <svg className={styles.sparkline} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
        {baseline}
      </svg>
    );
  }
  const max = Math.max(...values);
  const min = Math.min(...values);
  const flat = max === min;
  const span = max - min || 1;
  const step = width / (HISTORY - 1);
  const offset = (HISTORY - values.length) * step;
  const y = (v: number) => (flat ? height / 2 : height - 3 - ((v - min) / span) * (height - 8));
  const points = values.map((v, i) => [offset + i * step, y(v)] as const);
  const line = points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`).join(" ");
  const area = `${line} L${points[points.length - 1]![0].toFixed(1)} ${height} L${points[0]![0].toFixed(1)} ${height} Z`;
  return (
    <svg className={styles.sparkline} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
      {baseline}
      <path className={styles.sparkArea} d={area} />
      <path className={styles.sparkLine} d={line} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

function formatValue(value: number | undefined): string {
  if (value === undefined) return "—";
  if (Number.isInteger(value)) return value.toLocaleString();
  return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
}

function Meta({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

export function StatusView() {
  const trpc = useTRPC();
  const now = useNow(1_000);
  const [history, setHistory] = useState<Snapshot[]>([]);
  const live = useSubscription(
    trpc.health.live.subscriptionOptions(undefined, {
      onData: (snapshot) => setHistory((previous) => [...previous.slice(-(HISTORY - 1)), snapshot]),
    }),
  );
  const snapshot = history[history.length - 1];
  const at = snapshot ? new Date(snapshot.at).getTime() : 0;
  const stale = snapshot ? now - at > STALE_MS : false;

  return (
    <>
      <PageHeader
        eyebrow="Insights"
        title="System status"
        description="Pulse's own health, checked every two seconds and streamed to this page as it happens."
        actions={<ConnectionIndicator pill />}
      />
      <div className={layout.stack}>
        {live.status === "error" ? (
          <Alert tone="danger" title="Live updates stopped" role="alert">
            {errorMessage(live.error)}
          </Alert>
        ) : stale ? (
          <Alert tone="warning" title="Waiting for fresh data" role="status">
            The last snapshot is from {formatClock(at)}. Pulse is reconnecting and will update this page as soon as it can.
          </Alert>
        ) : null}

        {snapshot ? (
          <Card className={styles.hero} data-status={snapshot.status} data-stale={stale || undefined} aria-labelledby="overall-status">
            <ScoreRing score={snapshot.score} />
            <div className={styles.summary}>
              <div>
                <StatusBadge status={snapshot.status} size="lg" />
              </div>
              <h2 className={styles.headline} id="overall-status" data-testid="overall-status">
                {HEADLINE[snapshot.status]}
              </h2>
              <dl className={styles.meta}>
                <Meta label="Last updated" testId="last-updated">
                  <span className={styles.updated}>
                    <ClockIcon size={13} />
                    <time dateTime={new Date(at).toISOString()} data-testid="snapshot-time">
                      {formatClock(at)}
                    </time>
                    <span className="subtle">· {formatRelative(at, now)}</span>
                  </span>
                </Meta>
                <Meta label="Uptime">{formatDuration(snapshot.uptimeS)}</Meta>
                <Meta label="Version">
                  <code>{snapshot.version}</code>
                </Meta>
                <Meta label="Instance">
                  <code>{snapshot.instance}</code>
                </Meta>
              </dl>
              <div>
                <div className={styles.historyHead} aria-hidden="true">
                  <span>Last {HISTORY * 2} seconds</span>
                  <span>Now</span>
                </div>
                <div
                  className={styles.history}
                  role="img"
                  aria-label={`Overall status of the last ${history.length} snapshots: ${history.filter((s) => s.status === "ok").length} operational`}
                >
                  {Array.from({ length: HISTORY }, (_, i) => {
                    const item = history[i - (HISTORY - history.length)];
                    return <span key={i} data-status={item?.status} style={{ height: item ? `${30 + item.score * 0.7}%` : "30%" }} />;
                  })}
                </div>
              </div>
            </div>
          </Card>
        ) : (
          <Card className={styles.hero} aria-busy="true">
            <Skeleton width={132} height={132} style={{ borderRadius: "50%" }} />
            <div className={styles.summary}>
              <span className="sr-only" role="status">
                Connecting to live status…
              </span>
              <Skeleton width={110} height={26} />
              <Skeleton width="55%" height={24} />
              <Skeleton width="80%" height={32} />
            </div>
          </Card>
        )}

        <section aria-labelledby="checks-title" className={cx(layout.stack, styles.checks)}>
          <h2 id="checks-title" className={styles.checksTitle}>
            Checks
          </h2>
          <div className={layout.grid3}>
            {CHECKS.map(({ name, label, Icon, unit, help }) => {
              const check = snapshot?.checks[name];
              const values = history.map((s) => s.checks[name].value).filter((v): v is number => typeof v === "number");
              return (
                <Card key={name} className={styles.check} data-status={check?.status} aria-label={label} data-testid={`check-${name}`}>
                  <div className={styles.checkHead}>
                    <span className={styles.checkName}>
                      <span className={styles.checkIcon}>
                        <Icon size={15} />
                      </span>
                      {label}
                    </span>
                    {check ? <StatusBadge status={check.status} /> : <Skeleton width={84} height={22} />}
                  </div>
                  {check ? (
                    <>
                      <div>
                        <span className={styles.checkValue}>{formatValue(check.value)}</span>
                        {check.value !== undefined ? <span className={styles.checkUnit}>{unit}</span> : null}
                      </div>
                      <Sparkline values={values} />
                      <div className={styles.checkText}>
                        <p className={styles.checkDetail}>{check.detail}</p>
                        <p className={styles.checkHelp}>{help}</p>
                      </div>
                    </>
                  ) : (
                    <>
                      <Skeleton width={90} height={24} />
                      <Skeleton height={36} />
                      <Skeleton width="70%" />
                    </>
                  )}
                </Card>
              );
            })}
          </div>
        </section>
      </div>
    </>
  );
}
