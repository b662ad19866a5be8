import type { ReactNode } from "react";
import { cx, ui } from "@/components/ui";
import { BackLink } from "./BackLink";
import styles from "./Gate.module.css";

/** A card in the middle of the page, before the room: join it, enter its code, or it is missing. */
export function Gate({ children }: { children: ReactNode }) {
  return (
    <>
      <BackLink />
      <div className={styles.gate}>
        <div className={cx(ui.card, styles.card)}>{children}</div>
      </div>
    </>
  );
}
