import type { HTMLAttributes, ReactNode } from "react";
import { cx } from "./cx";
import styles from "./Badge.module.css";

export type Tone = "neutral" | "success" | "warning" | "danger" | "accent" | "info";

const TONE: Record<Tone, string | undefined> = {
  neutral: undefined,
  success: styles.success,
  warning: styles.warning,
  danger: styles.danger,
  accent: styles.accent,
  info: styles.info,
};

/** The badge look, for an element that cannot be a <Badge> (another component's root). */
export function badgeClass({ tone = "neutral", dot, size }: { tone?: Tone; dot?: boolean; size?: "lg" } = {}): string {
  return cx(styles.badge, TONE[tone], dot && styles.dot, size === "lg" && styles.lg);
}

export function Badge({
  tone = "neutral",
  dot,
  size,
  children,
  className,
  ...rest
}: { tone?: Tone; dot?: boolean; size?: "lg"; children: ReactNode; className?: string } & HTMLAttributes<HTMLSpanElement>) {
  return (
    <span className={cx(badgeClass({ tone, dot, size }), className)} {...rest}>
      {children}
    </span>
  );
}

export type HealthStatus = "ok" | "degraded" | "unhealthy";
export const STATUS_TONE: Record<HealthStatus, Tone> = { ok: "success", degraded: "warning", unhealthy: "danger" };
export const STATUS_LABEL: Record<HealthStatus, string> = { ok: "Operational", degraded: "Degraded", unhealthy: "Unhealthy" };

export function StatusBadge({ status, size }: { status: HealthStatus; size?: "lg" }) {
  return (
    <Badge tone={STATUS_TONE[status]} dot size={size}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}
