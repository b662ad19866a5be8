import type { ReactNode } from "react";
import { cx, ui } from "@/components/ui";
import { kindClass, type SessionKind } from "./kinds";
import styles from "./kinds.module.css";

/** A kind's main panel in a room: a card in the kind's colours, with its stripe along the top. */
export function KindPanel({ kind, className, children }: { kind: SessionKind; className?: string; children: ReactNode }) {
  return (
    <section className={cx(ui.card, styles.panel, kindClass, className)} data-kind={kind} aria-labelledby="panel-title">
      {children}
    </section>
  );
}
