import type { ReactNode } from "react";
import { AlertCircleIcon, AlertIcon, CheckCircleIcon, InfoIcon } from "@/components/icons";
import { cx } from "./cx";
import styles from "./Alert.module.css";

const ALERT_ICON = { danger: AlertCircleIcon, success: CheckCircleIcon, warning: AlertIcon, info: InfoIcon };

export function Alert({
  tone = "info",
  title,
  children,
  role,
  className,
}: {
  tone?: "danger" | "success" | "warning" | "info";
  title?: ReactNode;
  children?: ReactNode;
  role?: "alert" | "status";
  className?: string;
}) {
  const Icon = ALERT_ICON[tone];
  return (
    <div className={cx(styles.alert, styles[tone], className)} role={role}>
      <Icon size={16} />
      <div>
        {title ? <div className={styles.title}>{title}</div> : null}
        {children}
      </div>
    </div>
  );
}

/**
 * An always-present live region: errors rendered inside it are announced when they appear.
 * (A region that is itself inserted together with its text is often not read out.)
 */
export function ErrorRegion({ message, title }: { message: string | null | undefined; title?: string }) {
  return (
    <div role="alert" aria-atomic="true">
      {message ? (
        <Alert tone="danger" title={title}>
          {message}
        </Alert>
      ) : null}
    </div>
  );
}
