"use client";
import { useEffect } from "react";
import { Logo } from "@/components/Logo";
import { Button, buttonClass, Card, cx, ui } from "@/components/ui";
import styles from "./landing.module.css";

/** Anything a page failed to render: say so plainly and offer a retry. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className={cx(styles.landing, styles.centered)}>
      <Card as="main" className={styles.notice} role="alert">
        <Logo />
        <h1 className={ui.pageTitle}>Something went wrong</h1>
        <p className="muted">
          This page hit an unexpected problem. Trying again usually helps.
          {error.digest ? (
            <>
              {" "}
              Reference: <code>{error.digest}</code>
            </>
          ) : null}
        </p>
        <div className={styles.noticeActions}>
          <Button variant="primary" onClick={reset}>
            Try again
          </Button>
          <a className={buttonClass()} href="/">
            Go to Pulse
          </a>
        </div>
      </Card>
    </div>
  );
}
