"use client";
/**
 * The server's clock, seen from the browser. Timers and breathing patterns hold server instants;
 * to show the same second everywhere, each client estimates how far its clock is from the
 * server's with a few `health.ping`s (NTP-style): for a ping sent at t0 and answered at t1 with
 * server time T, offset = T − (t0 + t1) / 2, trusting the ping with the shortest round trip
 * (the least room for asymmetry). Re-measured every minute while a page uses it.
 *
 *   const clock = useServerClock();
 *   if (clock.ready) remaining = remainingMs(state, clock.now());
 */
import { useEffect, useSyncExternalStore } from "react";
import { useTRPCClient } from "@/trpc/react";

const PINGS = 5;
const RESYNC_MS = 60_000;

interface Estimate {
  offsetMs: number;
  rttMs: number;
  at: number;
}

let estimate: Estimate | null = null;
let syncing: Promise<void> | null = null;
const listeners = new Set<() => void>();

function publish(next: Estimate) {
  estimate = next;
  for (const listener of listeners) listener();
}

type Ping = () => Promise<{ time: number }>;

async function sync(ping: Ping): Promise<void> {
  let best: Estimate | null = null;
  for (let i = 0; i < PINGS; i++) {
    const start = performance.now();
    const wallStart = Date.now();
    let time: number;
    try {
      ({ time } = await ping());
    } catch {
      continue;
    }
    const rtt = performance.now() - start;
    // Local wall time at the midpoint of the round trip.
    const midpoint = wallStart + rtt / 2;
    if (!best || rtt < best.rttMs) best = { offsetMs: time - midpoint, rttMs: rtt, at: Date.now() };
  }
  if (best) publish(best);
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface ServerClock {
  /** True once the offset has been measured. */
  ready: boolean;
  /** Server time minus local time, in ms. */
  offsetMs: number;
  /** The round trip of the ping the estimate came from. */
  rttMs: number | null;
  /** The server's epoch ms now (local time plus the offset). */
  now(): number;
}

export function serverNow(): number {
  return Date.now() + (estimate?.offsetMs ?? 0);
}

/**
 * The current offset estimate, re-rendering when it changes, without measuring: for components
 * beside one that calls `useServerClock` (which does), so that a room pings once, not per hook.
 */
export function useClockOffset(): number {
  return useSyncExternalStore(
    subscribe,
    () => estimate?.offsetMs ?? 0,
    () => 0,
  );
}

export function useServerClock(): ServerClock {
  const client = useTRPCClient();
  const current = useSyncExternalStore(
    subscribe,
    () => estimate,
    () => null,
  );

  useEffect(() => {
    const run = () => {
      if (syncing) return;
      syncing = sync(() => client.health.ping.query()).finally(() => (syncing = null));
    };
    if (!estimate || Date.now() - estimate.at > RESYNC_MS) run();
    const timer = setInterval(run, RESYNC_MS);
    return () => clearInterval(timer);
  }, [client]);

  return {
    ready: current !== null,
    offsetMs: current?.offsetMs ?? 0,
    rttMs: current?.rttMs ?? null,
    now: serverNow,
  };
}
