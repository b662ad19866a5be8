import type { ReactNode, TableHTMLAttributes } from "react";
import { cx } from "./cx";
import styles from "./Table.module.css";

/**
 * Cell classes: `primary` (the row's name), `actions` (the right-hand buttons), `hideSm`
 * (a column phones drop), and the cell layouts `stack` (icon + lines), `icon`, `lines`, `sub`.
 */
export { styles as tableStyles };

/** A table that scrolls sideways inside its card rather than widening the page. */
export function Table({ className, children, ...rest }: TableHTMLAttributes<HTMLTableElement> & { children: ReactNode }) {
  return (
    <div className={styles.wrap}>
      <table className={cx(styles.table, className)} {...rest}>
        {children}
      </table>
    </div>
  );
}
