import type { Metadata } from "next";
import { Suspense } from "react";
import { ChatView } from "./ChatView";

export const metadata: Metadata = { title: "Chat" };

export default function ChatPage() {
  // ChatView reads the open conversation from the address (useSearchParams): a client-only read.
  return (
    <Suspense>
      <ChatView />
    </Suspense>
  );
}
