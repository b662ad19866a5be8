"use client";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import type { LoadTestProgressEvent, LoadTestSnapshot } from "@/shared/load-tests";
import { useTRPC } from "@/trpc/react";

export type RunEnd = Extract<LoadTestProgressEvent, { type: "end" }>;

/** A run's longest series is 300 s; the cap only guards against a server that sends more. */
const KEEP = 600;

/**
 * One run, second by second (`loadTest.progress`): the snapshots for tiles and charts, then its
 * end. The link resumes from the last event id after a reconnect, so no second is drawn twice.
 * Mount it keyed by the run: a new run starts from an empty series.
 */
export function useProgress(runId: string, enabled: boolean) {
  const trpc = useTRPC();
  const [snapshots, setSnapshots] = useState<LoadTestSnapshot[]>([]);
  const [end, setEnd] = useState<RunEnd | null>(null);
  const subscription = useSubscription(
    trpc.loadTest.progress.subscriptionOptions(
      { runId },
      {
        enabled: enabled && end === null,
        onData: ({ data: event }) => {
          if (event.type === "end") {
            setEnd(event);
            return;
          }
          setSnapshots((previous) => {
            // A replay after a reconnect may repeat a second we already hold.
            if (previous.length && previous[previous.length - 1]!.second >= event.second) return previous;
            const next = previous.length >= KEEP ? previous.slice(previous.length - KEEP + 1) : previous.slice();
            next.push(event);
            return next;
          });
        },
      },
    ),
  );
  return {
    snapshots,
    latest: snapshots.length ? snapshots[snapshots.length - 1]! : null,
    end,
    status: subscription.status,
    error: subscription.error,
  };
}
