import type { Metadata } from "next";
import { RoomView } from "./RoomView";

export const metadata: Metadata = { title: "Live session" };

export default async function SessionRoomPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ code?: string | string[] }>;
}) {
  const { id } = await params;
  const { code } = await searchParams;
  return <RoomView key={id} sessionId={id} inviteCode={typeof code === "string" ? code : undefined} />;
}
