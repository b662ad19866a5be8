import { AlertIcon, GaugeIcon, PlugIcon, SparkIcon, ZapIcon } from "@/components/icons";
import { Card, Skeleton } from "@/components/ui";
import type { LoadTestScenario, LoadTestSnapshot } from "@/shared/load-tests";
import { formatCount, formatMs, formatPercent, formatRate } from "./format";
import styles from "./LoadTests.module.css";

interface Tile {
  key: string;
  label: string;
  Icon: typeof ZapIcon;
  value: (s: LoadTestSnapshot) => string;
  detail: (s: LoadTestSnapshot) => string;
  warn?: (s: LoadTestSnapshot) => boolean;
}

const TILES: Tile[] = [
  { key: "rps", label: "Requests / s", Icon: ZapIcon, value: (s) => formatRate(s.requestsPerS), detail: (s) => `${formatCount(s.totalRequests)} in all` },
  { key: "p50", label: "p50", Icon: GaugeIcon, value: (s) => formatMs(s.p50), detail: () => "half were faster" },
  { key: "p95", label: "p95", Icon: GaugeIcon, value: (s) => formatMs(s.p95), detail: () => "1 in 20 slower" },
  { key: "p99", label: "p99", Icon: GaugeIcon, value: (s) => formatMs(s.p99), detail: () => "1 in 100 slower" },
  {
    key: "errors",
    label: "Errors",
    Icon: AlertIcon,
    value: (s) => formatCount(s.totalErrors),
    detail: (s) => `${formatCount(s.errors)} this second · ${formatPercent(s.totalRequests + s.totalErrors ? s.totalErrors / (s.totalRequests + s.totalErrors) : 0)}`,
    warn: (s) => s.totalErrors > 0,
  },
  { key: "connections", label: "Connections", Icon: PlugIcon, value: (s) => formatCount(s.activeConnections), detail: () => "open now" },
];

const DELIVERY: Tile = {
  key: "delivered",
  label: "Delivered",
  Icon: SparkIcon,
  value: (s) => (s.expected ? formatPercent((s.delivered ?? 0) / s.expected) : "—"),
  detail: (s) => `${formatCount(s.delivered ?? 0)} of ${formatCount(s.expected ?? 0)} messages`,
  warn: (s) => !!s.expected && (s.delivered ?? 0) < s.expected * 0.99,
};

/** This second's figures; a websocket run adds how many of the published messages arrived. */
export function LiveTiles({ latest, scenario }: { latest: LoadTestSnapshot | null; scenario: LoadTestScenario }) {
  const tiles = scenario === "websocket" ? [...TILES, DELIVERY] : TILES;
  return (
    <div className={styles.tiles} data-count={tiles.length}>
      {tiles.map((tile) => (
        <Card as="div" key={tile.key} className={styles.tile} data-testid={`lt-tile-${tile.key}`} data-warn={(latest && tile.warn?.(latest)) || undefined}>
          <div className={styles.tileHead}>
            <span className={styles.tileIcon}>
              <tile.Icon size={14} />
            </span>
            <span className={styles.tileLabel}>{tile.label}</span>
          </div>
          {latest ? (
            <>
              <div className={styles.tileValue} data-testid={`lt-tile-${tile.key}-value`}>
                {tile.value(latest)}
              </div>
              <div className={styles.tileDetail}>{tile.detail(latest)}</div>
            </>
          ) : (
            <>
              <Skeleton width={70} height={26} />
              <Skeleton width="70%" height={12} />
            </>
          )}
        </Card>
      ))}
    </div>
  );
}
