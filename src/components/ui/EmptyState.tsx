import type { ReactNode } from "react";
import styles from "./EmptyState.module.css";

export { styles as emptyStyles };

export function EmptyState({ icon, title, children }: { icon: ReactNode; title: string; children?: ReactNode }) {
  return (
    <div className={styles.empty}>
      <div className={styles.icon}>{icon}</div>
      <p className={styles.title}>{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}
