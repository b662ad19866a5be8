import { Button } from "./Button";
import styles from "./ListFooter.module.css";

/**
 * Under a paged list: "Load more" while there is more, else how many there are ("3 jobs", "1
 * session matches").
 */
export function ListFooter({
  count,
  noun,
  filtered = false,
  hasMore,
  loadingMore,
  onLoadMore,
  testId,
  className,
}: {
  count: number;
  /** Singular and plural: ["job", "jobs"]. */
  noun: readonly [string, string];
  filtered?: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore(): void;
  testId?: string;
  className?: string;
}) {
  return (
    <div className={className ?? styles.footer}>
      {hasMore ? (
        <Button onClick={onLoadMore} loading={loadingMore}>
          Load more
        </Button>
      ) : (
        <span className="subtle" data-testid={testId}>
          {count} {count === 1 ? noun[0] : noun[1]}
          {filtered ? (count === 1 ? " matches" : " match") : ""}
        </span>
      )}
    </div>
  );
}
