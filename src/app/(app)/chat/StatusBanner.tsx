"use client";
import { useNow } from "@/components/time";
import { Alert } from "@/components/ui";
import type { ChatStatus } from "@/shared/chat";

export const NOT_CONFIGURED_TITLE = "Claude is not configured on this server: set ANTHROPIC_API_KEY";
export const NOT_CONFIGURED_REASON = "Sending is off until an operator sets ANTHROPIC_API_KEY on this server.";

/**
 * What the page knows of Claude's availability: not configured here; or upstream trouble (the
 * circuit breaker is open, or the last answer failed fast because of it, which says when Pulse
 * will try again).
 */
export function StatusBanner({ status, retryAt }: { status: ChatStatus | undefined; retryAt: number | null }) {
  const now = useNow(1_000);
  if (!status) return null;
  if (!status.configured) {
    return (
      <Alert tone="warning" title={NOT_CONFIGURED_TITLE} role="status">
        <p>
          Your conversations can still be read, but nothing can be sent. An operator adds the key to the server&apos;s environment
          (optionally <code>ANTHROPIC_MODEL</code> too) and restarts it.
        </p>
      </Alert>
    );
  }
  const waitS = retryAt !== null ? Math.ceil((retryAt - now) / 1000) : null;
  const open = status.breaker === "open" || (waitS !== null && waitS > 0 && status.breaker !== "closed");
  if (open) {
    return (
      // Not a live region itself: its countdown would be read out every second.
      <Alert
        tone="danger"
        title={
          <span data-testid="circuit-banner">
            {waitS !== null && waitS > 0
              ? `Claude is unavailable right now; Pulse will try again in ${waitS} s.`
              : "Claude is unavailable right now; Pulse will try again shortly."}
          </span>
        }
      >
        <span className="sr-only" role="status">
          Claude is unavailable right now.
        </span>
        <p>
          Anthropic failed several requests in a row, so Pulse stopped calling it for a moment. Your conversations are safe: retry a
          failed answer once Claude is back.
        </p>
      </Alert>
    );
  }
  if (status.breaker === "half-open") {
    return (
      <Alert tone="warning" title="Claude was unavailable" role="status">
        <p>Pulse is checking whether Anthropic is back: the next message is the test.</p>
      </Alert>
    );
  }
  return null;
}
