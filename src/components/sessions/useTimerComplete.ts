"use client";
import { useEffect, useState } from "react";
import { msUntilComplete, timerComplete, type SessionState } from "./timing";
import { serverNow, useClockOffset } from "./useServerClock";

/** Past the instant, so that the timer reads 0:00 everywhere when this flips. */
const SLACK_MS = 20;
/** Look again at least this often: a device clock that jumps (sleep, a time sync) fires no timer. */
const RECHECK_MS = 1_000;

/**
 * Whether a timed session's timer has run out, by server time, re-rendering at the instant it
 * does (not on an interval): the status pill and the host's controls change with the 0:00.
 */
export function useTimerComplete(state: SessionState, status: string): boolean {
  // The timer panel in the same room keeps the estimate fresh; this only follows it.
  const offsetMs = useClockOffset();
  const [complete, setComplete] = useState(() => timerComplete(state, status, serverNow()));
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      const now = serverNow();
      setComplete(timerComplete(state, status, now));
      const left = msUntilComplete(state, status, now);
      if (left !== null) timer = setTimeout(check, Math.min(left + SLACK_MS, RECHECK_MS));
    };
    check();
    return () => clearTimeout(timer);
  }, [state, status, offsetMs]);
  return complete;
}
