"use client";
import { TRPCClientError } from "@trpc/client";
import { errorMessage } from "@/components/errors";
import { Alert, Button } from "@/components/ui";
import styles from "./Analytics.module.css";

/** The id the server gave the failed request (every error shape carries it): what to quote to support. */
export function requestIdOf(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data: unknown = error.data;
  if (typeof data !== "object" || data === null || !("requestId" in data)) return null;
  const id = (data as { requestId: unknown }).requestId;
  return typeof id === "string" && id ? id : null;
}

/** A query that failed: what went wrong, its request id, and a way to try again. */
export function QueryError({ what, error, onRetry }: { what: string; error: unknown; onRetry: () => void }) {
  const requestId = requestIdOf(error);
  return (
    <Alert tone="danger" title={`${what} can't be loaded`} role="alert" className={styles.queryError}>
      <p>{errorMessage(error)}</p>
      {requestId ? (
        <p className={styles.requestIdLine}>
          Request id <code data-testid="error-request-id">{requestId}</code>
        </p>
      ) : null}
      <Button size="sm" onClick={onRetry} className={styles.retry}>
        Try again
      </Button>
    </Alert>
  );
}
