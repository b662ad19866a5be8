import type { ReactNode } from "react";
import { errorMessage, errorReference } from "@/components/errors";
import { Alert } from "./Alert";
import { Button } from "./Button";
import styles from "./LoadError.module.css";

/**
 * What a list or a panel shows when its data can't be loaded: what failed, why in words, the
 * request's reference to quote, and a way to try again.
 */
export function LoadError({
  title,
  error,
  onRetry,
  children,
  className,
}: {
  title: ReactNode;
  error: unknown;
  onRetry(): void;
  /** Said instead of the error's own message (e.g. "It may have been deleted"). */
  children?: ReactNode;
  className?: string;
}) {
  const reference = errorReference(error);
  return (
    <Alert tone="danger" title={title} role="alert" className={className}>
      <p className={styles.message}>{children ?? errorMessage(error)}</p>
      {reference ? (
        <p className={styles.reference}>
          Reference: <code>{reference}</code>
        </p>
      ) : null}
      <Button size="sm" onClick={onRetry}>
        Try again
      </Button>
    </Alert>
  );
}
