"use client";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import type { LiveSnapshot } from "@/shared/analytics";
import { useTRPC } from "@/trpc/react";

/** Seconds of live snapshots kept (one a second) to extend the charts past their last bucket. */
const KEEP = 15 * 60;

/**
 * The platform, second by second (`analytics.live`, admins only): the latest snapshot for the
 * tiles and the alert banner, and the recent ones for the charts' live tail.
 */
export function useLive(enabled: boolean) {
  const trpc = useTRPC();
  const [snapshots, setSnapshots] = useState<LiveSnapshot[]>([]);
  const subscription = useSubscription(
    trpc.analytics.live.subscriptionOptions(undefined, {
      enabled,
      onData: (snapshot) =>
        setSnapshots((previous) => {
          const next = previous.length >= KEEP ? previous.slice(previous.length - KEEP + 1) : previous.slice();
          next.push(snapshot);
          return next;
        }),
    }),
  );
  return {
    snapshots,
    latest: snapshots.length ? snapshots[snapshots.length - 1]! : null,
    status: subscription.status,
    error: subscription.error,
  };
}
