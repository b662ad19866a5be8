"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useTRPC } from "@/trpc/react";
import { APP_HOME } from "./AppShell";
import { buttonClass } from "./ui";

/** People who are signed in go straight to the app. */
export function SignedInRedirect() {
  const trpc = useTRPC();
  const router = useRouter();
  const me = useQuery(trpc.auth.me.queryOptions());
  useEffect(() => {
    if (me.data) router.replace(APP_HOME);
  }, [me.data, router]);
  return null;
}

export function LandingActions() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  if (me.data) {
    return (
      <Link href={APP_HOME} className={buttonClass({ variant: "primary", size: "sm" })}>
        Open Pulse
      </Link>
    );
  }
  return (
    <>
      <Link href="/sign-in" className={buttonClass({ variant: "ghost", size: "sm" })}>
        Sign in
      </Link>
      <Link href="/sign-up" className={buttonClass({ variant: "primary", size: "sm" })}>
        Get started
      </Link>
    </>
  );
}
