"use client";
import { useEffect } from "react";
import { Logo } from "../components/Logo";
import { Button } from "../components/ui";

/** Anything a page failed to render: say so plainly and offer a retry. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="landing" style={{ display: "grid", placeItems: "center", padding: 24 }}>
      <main className="card" role="alert" style={{ maxWidth: 460, width: "100%", padding: 32, display: "grid", gap: 16, textAlign: "center", justifyItems: "center" }}>
        <Logo />
        <h1 className="page-title">Something went wrong</h1>
        <p className="muted">
          This page hit an unexpected problem. Trying again usually helps.
          {error.digest ? (
            <>
              {" "}
              Reference: <code>{error.digest}</code>
            </>
          ) : null}
        </p>
        <div style={{ display: "flex", gap: 10 }}>
          <Button variant="primary" onClick={reset}>
            Try again
          </Button>
          <a className="btn" href="/">
            Go to Pulse
          </a>
        </div>
      </main>
    </div>
  );
}
