"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect } from "react";
import type { RouterOutputs } from "@/trpc/types";
import { useConnection, useTRPC } from "@/trpc/react";
import { safeNext } from "./AppShell";

type User = RouterOutputs["auth"]["signIn"]["user"];

function nextParam(): string | null {
  return typeof window === "undefined" ? null : new URLSearchParams(window.location.search).get("next");
}

/**
 * For the sign-in and sign-up pages: sends people who are already signed in on to the app,
 * and gives `enter(user)`, which starts a fresh session (new socket, no stale cache) and goes in.
 */
export function useEnterApp() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { resetSession } = useConnection();
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { staleTime: 0 }));

  useEffect(() => {
    if (me.data) router.replace(safeNext(nextParam()));
  }, [me.data, router]);

  const enter = useCallback(
    (user: User) => {
      resetSession();
      queryClient.setQueryData(trpc.auth.me.queryKey(), user);
      router.replace(safeNext(nextParam()));
    },
    [resetSession, queryClient, trpc, router],
  );

  return { enter, checking: me.isPending };
}
