"use client";
import { StatusPill } from "@/components/sessions/kinds";
import type { RoomSession } from "@/components/sessions/useSessionRoom";
import { useTimerComplete } from "@/components/sessions/useTimerComplete";

/** The status pill, reading "Complete" from the instant a live session's timer runs out. */
export function RoomStatus({ session }: { session: RoomSession }) {
  const complete = useTimerComplete(session.state, session.status);
  return <StatusPill status={complete ? "complete" : session.status} />;
}
