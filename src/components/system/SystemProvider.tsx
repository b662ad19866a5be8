"use client";
/**
 * Platform-wide state on every app page: maintenance mode (for the banner, and for pages that
 * want it) and admins' broadcasts not yet read (the toasts). It reads `system.status` once, then
 * follows `system.events` from the position that status gave, so nothing falls between the two;
 * tRPC's wsLink resumes the stream from the last id after a dropped connection.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { BroadcastView, MaintenanceState } from "@/shared/system";
import { useTRPC, useTRPCClient } from "@/trpc/react";

interface SystemContextValue {
  /** Null until the first status arrives. */
  maintenance: MaintenanceState | null;
  /** Unread broadcasts on screen, newest first. */
  broadcasts: BroadcastView[];
  dismiss(id: string): void;
  /** A switch this page made itself: shown at once, before the stream brings it. */
  applyMaintenance(state: MaintenanceState): void;
}

const SystemContext = createContext<SystemContextValue | null>(null);

export function useSystem(): SystemContextValue {
  const value = useContext(SystemContext);
  if (!value) throw new Error("useSystem() must be used inside <SystemProvider>");
  return value;
}

const minOf = (ids: bigint[]) => ids.reduce((a, b) => (a < b ? a : b));
const maxOf = (ids: bigint[]) => ids.reduce((a, b) => (a > b ? a : b));

const time = (state: MaintenanceState | null) => (state?.changedAt ? new Date(state.changedAt).getTime() : -1);
/** A status read and a stream event can cross: keep whichever switch is the later. */
const later = (current: MaintenanceState | null, next: MaintenanceState) => (time(next) >= time(current) ? next : current);

export function SystemProvider({ me, children }: { me: { id: string }; children: ReactNode }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const status = useQuery(trpc.system.status.queryOptions(undefined, { staleTime: 30_000 }));
  const markRead = useMutation(trpc.system.markRead.mutationOptions());
  const [maintenance, setMaintenance] = useState<MaintenanceState | null>(null);
  const [broadcasts, setBroadcasts] = useState<BroadcastView[]>([]);
  const [from, setFrom] = useState<string | null>(null);
  /** The read marker as this page last set it, and what was dismissed above it (until the marker passes it). */
  const marked = useRef(0n);
  const dismissed = useRef(new Set<string>());

  const add = useCallback(
    (incoming: BroadcastView[]) =>
      setBroadcasts((shown) => {
        const fresh = incoming.filter((b) => b.author?.id !== me.id && !shown.some((s) => s.id === b.id) && BigInt(b.id) > marked.current && !dismissed.current.has(b.id));
        return fresh.length ? [...fresh.reverse(), ...shown] : shown;
      }),
    [me.id],
  );

  useEffect(() => {
    if (!status.data) return;
    setMaintenance((current) => later(current, status.data.maintenance));
    add(status.data.unread);
    // The stream starts once, where the first status left off; later reads only refresh the state.
    setFrom((current) => current ?? status.data.lastEventId);
  }, [status.data, add]);

  useEffect(() => {
    if (from === null) return;
    const subscription = client.system.events.subscribe(
      { lastEventId: from },
      {
        onData: ({ data: event }) => {
          if (event.type === "maintenance") setMaintenance((current) => later(current, event.maintenance));
          else add([event.broadcast]);
        },
      },
    );
    return () => subscription.unsubscribe();
  }, [client, from, add]);

  const shown = useRef<BroadcastView[]>([]);
  useEffect(() => {
    shown.current = broadcasts;
  }, [broadcasts]);

  const { mutate } = markRead;
  const dismiss = useCallback(
    (id: string) => {
      dismissed.current.add(id);
      const left = shown.current.filter((b) => b.id !== id);
      shown.current = left;
      setBroadcasts(left);
      // The server keeps one marker per person: everything up to it is read. It moves to just
      // below the oldest broadcast still on screen, or to the newest once none is left.
      const upTo = left.length ? minOf(left.map((b) => BigInt(b.id))) - 1n : maxOf([...dismissed.current].map(BigInt));
      if (upTo > marked.current) {
        marked.current = upTo;
        mutate({ upToId: upTo.toString() });
      }
    },
    [mutate],
  );

  const applyMaintenance = useCallback((state: MaintenanceState) => setMaintenance((current) => later(current, state)), []);
  const value = useMemo(() => ({ maintenance, broadcasts, dismiss, applyMaintenance }), [maintenance, broadcasts, dismiss, applyMaintenance]);
  return <SystemContext.Provider value={value}>{children}</SystemContext.Provider>;
}
