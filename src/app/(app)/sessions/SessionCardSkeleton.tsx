import { Skeleton } from "@/components/ui";
import styles from "./SessionCard.module.css";

/** A session card's shape while the list loads. */
export function SessionCardSkeleton() {
  return (
    <div className={styles.card} aria-hidden="true">
      <div className={styles.top}>
        <Skeleton width={38} height={38} style={{ borderRadius: 10 }} />
        <Skeleton width={120} height={16} />
      </div>
      <Skeleton width="70%" height={18} />
      <Skeleton width="95%" height={14} />
      <Skeleton width="40%" height={14} />
      <div className={styles.foot}>
        <Skeleton width={140} height={30} />
        <Skeleton width={60} height={30} />
      </div>
    </div>
  );
}
