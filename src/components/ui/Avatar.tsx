import { initials } from "@/shared/people";
import { cx } from "./cx";
import styles from "./Avatar.module.css";

export function Avatar({ name, size, className }: { name: string; size?: "lg"; className?: string }) {
  return (
    <span className={cx(styles.avatar, size === "lg" && styles.lg, className)} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
