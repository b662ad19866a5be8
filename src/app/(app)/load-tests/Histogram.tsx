import type { HistogramBucket } from "@/shared/load-tests";
import { formatCount, formatMs } from "./format";
import styles from "./Histogram.module.css";

/**
 * How the requests' latencies spread: one bar per bucket, as tall as its share of the tallest.
 * The bars are drawn for the eye; a visually hidden table gives the same counts to screen readers.
 */
export function Histogram({ buckets }: { buckets: readonly HistogramBucket[] }) {
  const shown = trimEmptyTail(buckets);
  if (!shown.length) return <p className="subtle">No request completed, so there is nothing to spread.</p>;
  const max = Math.max(...shown.map((b) => b.count), 1);
  const total = shown.reduce((sum, b) => sum + b.count, 0);
  // Label every bar when few; otherwise every few, so the labels never overlap.
  const labelEvery = Math.max(1, Math.ceil(shown.length / 10));
  return (
    <div className={styles.histogram} data-testid="lt-histogram">
      <div className={styles.bars} aria-hidden="true">
        {shown.map((bucket, i) => (
          <div className={styles.barSlot} key={bucket.upToMs} title={`≤ ${formatMs(bucket.upToMs)}: ${formatCount(bucket.count)}`}>
            <div className={styles.bar} style={{ height: `${bucket.count ? Math.max((bucket.count / max) * 100, 2) : 0}%` }} />
            <span className={styles.barLabel} data-hidden={i % labelEvery !== 0 || undefined} data-odd={(labelEvery === 1 && i % 2 === 1) || undefined}>
              {formatMs(bucket.upToMs)}
            </span>
          </div>
        ))}
      </div>
      <table className="sr-only">
        <caption>Requests by latency, {formatCount(total)} in all</caption>
        <thead>
          <tr>
            <th scope="col">At most</th>
            <th scope="col">Requests</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((bucket) => (
            <tr key={bucket.upToMs}>
              <td>{formatMs(bucket.upToMs)}</td>
              <td>{formatCount(bucket.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Empty buckets past the slowest request only stretch the axis. */
function trimEmptyTail(buckets: readonly HistogramBucket[]): HistogramBucket[] {
  let end = buckets.length;
  while (end > 0 && buckets[end - 1]!.count === 0) end -= 1;
  let start = 0;
  while (start < end && buckets[start]!.count === 0) start += 1;
  return buckets.slice(start, end);
}
