import type { ButtonHTMLAttributes, HTMLAttributes, ReactNode } from "react";
import { cx } from "@/components/ui";
import styles from "./Chip.module.css";

/** A toggle pill: a real button whose `aria-pressed` says (and styles) whether it is on. */
export function Chip({ on, className, children, ...rest }: { on: boolean; children: ReactNode } & Omit<ButtonHTMLAttributes<HTMLButtonElement>, "type" | "aria-pressed">) {
  return (
    <button type="button" className={cx(styles.chip, className)} aria-pressed={on} {...rest}>
      {children}
    </button>
  );
}

/** Chips side by side, wrapping. */
export function ChipRow({ className, children, ...rest }: HTMLAttributes<HTMLDivElement>) {
  return (
    <div className={cx(styles.row, className)} {...rest}>
      {children}
    </div>
  );
}
