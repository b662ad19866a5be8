import type { Metadata } from "next";
import { ComingSoon } from "@/components/ComingSoon";
import { ChatIcon } from "@/components/icons";

export const metadata: Metadata = { title: "Chat" };

export default function ChatPage() {
  return (
    <ComingSoon
      eyebrow="Workspace"
      title="Chat"
      description="Conversations with Claude, streamed as they are written."
      icon={<ChatIcon size={34} />}
      headline="Ask Claude, watch the answer stream in"
      summary="Keep conversations with Claude in one place. Answers appear word by word, and you can stop one mid-way."
      features={[
        "Start, rename and delete conversations; they are kept with your account.",
        "Answers stream live over the realtime connection, and resume if it drops.",
        "Cancel an answer that is going the wrong way.",
      ]}
    />
  );
}
