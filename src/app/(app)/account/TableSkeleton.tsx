import { Skeleton } from "@/components/ui";
import styles from "./TableSkeleton.module.css";

/** Two rows of grey bars where a card's table will be. */
export function TableSkeleton({ columns }: { columns: number }) {
  return (
    <div className={styles.rows} aria-busy="true">
      {[0, 1].map((row) => (
        <div key={row} className={styles.row} style={{ gridTemplateColumns: `repeat(${columns}, 1fr)` }}>
          {Array.from({ length: columns }, (_, i) => (
            <Skeleton key={i} height={16} width={`${50 + ((row + i) * 23) % 45}%`} />
          ))}
        </div>
      ))}
    </div>
  );
}
