"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useCallback, useRef, useState } from "react";
import { isFinished, type JobView } from "@/shared/jobs";
import { useTRPC } from "@/trpc/react";

/**
 * My jobs as they change, over the shared WebSocket (jobs.onUpdate; the link resumes from the
 * last event id after a reconnect, so nothing is missed). `latest(job)` is the freshest state of
 * a job a list holds. A job this page has not seen yet refreshes the lists; a job that finishes
 * refreshes files and usage, whose rows change with it.
 */
export function useJobUpdates(onChange?: (job: JobView) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [live, setLive] = useState<ReadonlyMap<string, JobView>>(new Map());
  const known = useRef(new Set<string>());
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  const subscription = useSubscription(
    trpc.jobs.onUpdate.subscriptionOptions(
      {},
      {
        onData: ({ data: job }) => {
          const previous = known.current.has(job.id);
          known.current.add(job.id);
          setLive((map) => new Map(map).set(job.id, job));
          if (!previous) void queryClient.invalidateQueries({ queryKey: trpc.jobs.list.pathKey() });
          if (isFinished(job.status)) {
            void queryClient.invalidateQueries({ queryKey: trpc.files.pathKey() });
          }
          onChangeRef.current?.(job);
        },
      },
    ),
  );

  const latest = useCallback(<T extends JobView>(job: T): T => {
    known.current.add(job.id);
    const update = live.get(job.id);
    return update ? { ...job, ...update } : job;
  }, [live]);

  return { latest, byId: live, status: subscription.status };
}
