import { Skeleton } from "@/components/ui";
import styles from "./RoomView.module.css";

/** The room's shape while its snapshot loads. */
export function RoomSkeleton() {
  return (
    <div aria-busy="true">
      <span className="sr-only" role="status">
        Opening the session…
      </span>
      <Skeleton width={110} height={16} style={{ marginBottom: 22 }} />
      <div className={styles.skeletonHead}>
        <Skeleton width={52} height={52} style={{ borderRadius: 14 }} />
        <div className={styles.skeletonTitle}>
          <Skeleton width={160} height={14} />
          <Skeleton width="45%" height={26} />
        </div>
      </div>
      <div className={styles.grid}>
        <Skeleton height={460} style={{ borderRadius: 14 }} />
        <Skeleton height={460} style={{ borderRadius: 14 }} />
      </div>
    </div>
  );
}
