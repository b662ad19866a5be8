"use client";
import { useEffect, useState } from "react";
import { CheckCircleIcon } from "@/components/icons";
import styles from "./Flash.module.css";

/** A message that announces itself politely and fades after a few seconds. */
export function useFlash(): [string | null, (message: string) => void] {
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), 4_000);
    return () => clearTimeout(timer);
  }, [message]);
  return [message, setMessage];
}

export function Flash({ message }: { message: string | null }) {
  return (
    <span role="status" aria-live="polite" className={styles.flash}>
      {message ? (
        <span className={styles.message}>
          <CheckCircleIcon size={15} /> {message}
        </span>
      ) : null}
    </span>
  );
}
