import { cx } from "@/components/ui";
import styles from "./HelpIcon.module.css";
import { LifebuoyIcon } from "./SessionIcons";

/** A help request's mark: in a room's banner (md), in an admin's alert (sm). */
export function HelpIcon({ size = "md" }: { size?: "sm" | "md" }) {
  return (
    <span className={cx(styles.icon, size === "sm" && styles.sm)}>
      <LifebuoyIcon size={size === "sm" ? 20 : 22} />
    </span>
  );
}
