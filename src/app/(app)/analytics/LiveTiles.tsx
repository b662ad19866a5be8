"use client";
import type { ReactNode } from "react";
import { AlertIcon, ClockIcon, GaugeIcon, LayersIcon, MemoryIcon, PlugIcon, ZapIcon } from "@/components/icons";
import { formatClock, formatRelative } from "@/components/time";
import { Alert, Card, Skeleton } from "@/components/ui";
import type { AlertView, LiveSnapshot } from "@/shared/analytics";
import { formatBytes, formatCount, formatMs, formatPercent, formatRate } from "./format";
import styles from "./Analytics.module.css";

/** Seconds of history in a tile's sparkline. */
const SPARK = 60;

interface TileSpec {
  key: string;
  label: string;
  Icon: typeof ZapIcon;
  value: (s: LiveSnapshot) => string;
  detail: (s: LiveSnapshot) => string;
  series: (s: LiveSnapshot) => number;
  /** Tinted when this holds: a number worth a look. */
  warn?: (s: LiveSnapshot) => boolean;
}

const TILES: TileSpec[] = [
  {
    key: "requests",
    label: "Requests / s",
    Icon: ZapIcon,
    value: (s) => formatRate(s.requestsPerS),
    detail: (s) => `${s.instances} ${s.instances === 1 ? "instance" : "instances"}`,
    series: (s) => s.requestsPerS,
  },
  {
    key: "errors",
    label: "Error rate",
    Icon: AlertIcon,
    value: (s) => formatPercent(s.errorRate),
    detail: () => "server failures",
    series: (s) => s.errorRate,
    warn: (s) => s.errorRate > 0.05,
  },
  {
    key: "p95",
    label: "p95 latency",
    Icon: GaugeIcon,
    value: (s) => formatMs(s.p95),
    detail: (s) => `p50 ${formatMs(s.p50).replace(" ms", "")} · p99 ${formatMs(s.p99)}`,
    series: (s) => s.p95,
  },
  {
    key: "memory",
    label: "Memory",
    Icon: MemoryIcon,
    value: (s) => formatBytes(s.rssBytes),
    detail: (s) => `heap ${formatBytes(s.heapUsedBytes)}`,
    series: (s) => s.rssBytes,
  },
  {
    key: "connections",
    label: "Connections",
    Icon: PlugIcon,
    value: (s) => formatCount(s.wsConnections),
    detail: () => "WebSocket, open",
    series: (s) => s.wsConnections,
  },
  {
    key: "queue",
    label: "Queue depth",
    Icon: LayersIcon,
    value: (s) => formatCount(s.queueDepth),
    detail: () => "jobs waiting",
    series: (s) => s.queueDepth,
  },
];

function Spark({ values }: { values: number[] }) {
  const width = 120;
  const height = 28;
  if (values.length < 2) return <svg className={styles.spark} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" />;
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const step = width / (SPARK - 1);
  const offset = (SPARK - values.length) * step;
  const y = (v: number) => (max === min ? height / 2 : height - 2 - ((v - min) / span) * (height - 6));
  const line = values.map((v, i) => `${i ? "L" : "M"}${(offset + i * step).toFixed(1)} ${y(v).toFixed(1)}`).join(" ");
  return (
    <svg className={styles.spark} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true">
      <path d={line} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}

/** The six figures of this second, each with its last minute drawn small. */
export function LiveTiles({ snapshots, latest }: { snapshots: LiveSnapshot[]; latest: LiveSnapshot | null }) {
  const recent = snapshots.slice(-SPARK);
  return (
    <section aria-labelledby="live-title" className={styles.liveSection}>
      <div className={styles.sectionHead}>
        <h2 id="live-title" className={styles.sectionTitle}>
          Right now
        </h2>
        <span className={styles.liveMeta}>
          {latest ? (
            <>
              <span className={styles.liveDot} aria-hidden="true" />
              <ClockIcon size={13} />
              <span>
                Updated <time dateTime={new Date(latest.at).toISOString()} data-testid="live-at">{formatClock(latest.at)}</time>
              </span>
            </>
          ) : (
            <span>Connecting…</span>
          )}
        </span>
      </div>
      <div className={styles.tiles}>
        {TILES.map((tile) => (
          <Card as="div" key={tile.key} className={styles.tile} data-testid={`tile-${tile.key}`} data-warn={(latest && tile.warn?.(latest)) || undefined}>
            <div className={styles.tileHead}>
              <span className={styles.tileIcon}>
                <tile.Icon size={14} />
              </span>
              <span className={styles.tileLabel}>{tile.label}</span>
            </div>
            {latest ? (
              <>
                <div className={styles.tileValue} data-testid={`tile-${tile.key}-value`}>
                  {tile.value(latest)}
                </div>
                <div className={styles.tileDetail}>{tile.detail(latest)}</div>
                <Spark values={recent.map(tile.series)} />
              </>
            ) : (
              <>
                <Skeleton width={80} height={28} />
                <Skeleton width="70%" height={12} />
                <Skeleton height={28} />
              </>
            )}
          </Card>
        ))}
      </div>
    </section>
  );
}

const RULE_LABEL: Record<AlertView["rule"], string> = {
  errorRate: "Error rate",
  p95: "p95 latency",
  heap: "Heap",
  eventLoop: "Event loop",
};

/** Alerts that hold now; gone from the page when they clear. */
export function AlertBanner({ alerts, now }: { alerts: AlertView[]; now: number }): ReactNode {
  return (
    <div role="status" aria-live="polite" data-testid="alert-banner">
      {alerts.length ? (
        <Alert tone="danger" title={alerts.length === 1 ? "1 alert is active" : `${alerts.length} alerts are active`}>
          <ul className={styles.alertList}>
            {alerts.map((alert) => (
              <li key={alert.id}>
                <strong>{RULE_LABEL[alert.rule]}</strong>: {alert.message}{" "}
                <span className={styles.alertMeta}>
                  on <code>{alert.instance}</code>, since {formatRelative(alert.raisedAt, now)}
                </span>
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
    </div>
  );
}
