"use client";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { Button } from "./ui";
import styles from "./ConfirmButton.module.css";

/**
 * A destructive action in two clicks: "Revoke" turns into "Confirm" + "Cancel" for a few
 * seconds. Cheaper than a dialog, and still hard to trigger by accident.
 */
export function ConfirmButton({
  children,
  confirmLabel,
  onConfirm,
  loading,
  label,
}: {
  children: ReactNode;
  confirmLabel: string;
  onConfirm(): void;
  loading?: boolean;
  /** Accessible name of the first button, e.g. "Revoke token CI". */
  label: string;
}) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!asking) return;
    confirmRef.current?.focus();
    const timer = setTimeout(() => setAsking(false), 6_000);
    return () => clearTimeout(timer);
  }, [asking]);

  if (asking || loading) {
    return (
      <span className={styles.asking}>
        <Button size="sm" variant="ghost" onClick={() => setAsking(false)} disabled={loading}>
          Cancel
        </Button>
        <Button
          ref={confirmRef}
          size="sm"
          variant="danger-solid"
          loading={loading}
          onClick={() => onConfirm()}
          aria-label={`Confirm: ${label}`}
        >
          {confirmLabel}
        </Button>
      </span>
    );
  }
  return (
    <Button size="sm" variant="danger" onClick={() => setAsking(true)} aria-label={label}>
      {children}
    </Button>
  );
}
