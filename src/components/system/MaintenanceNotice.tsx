"use client";
/**
 * The sign-in and sign-up pages' maintenance banner. Signed out there is no stream to follow:
 * the state is read on load and every half minute.
 */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { MaintenanceBanner } from "./MaintenanceBanner";

export function MaintenanceNotice() {
  const trpc = useTRPC();
  const status = useQuery(trpc.system.status.queryOptions(undefined, { refetchInterval: 30_000 }));
  return <MaintenanceBanner state={status.data?.maintenance ?? null} audience="visitor" inset />;
}
