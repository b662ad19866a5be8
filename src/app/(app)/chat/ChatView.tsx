"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";
import { errorMessage } from "@/components/errors";
import { PageHeader } from "@/components/ui";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { ConversationList } from "./ConversationList";
import { ConversationPane } from "./ConversationPane";
import { StartPane } from "./StartPane";
import { NOT_CONFIGURED_REASON, StatusBanner } from "./StatusBanner";
import type { AnswerFailure } from "./useAnswerStream";
import styles from "./Chat.module.css";

/**
 * The Chat page: the conversation list beside the open conversation (on a phone, one at a time:
 * the list first). The open conversation is in the address (`/chat?c=<id>`), so a reload or a
 * link keeps it, and the phone's back button returns to the list.
 */
export function ChatView() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const selectedId = useSearchParams().get("c");
  const [retryAt, setRetryAt] = useState<number | null>(null);

  const status = useQuery({
    ...trpc.chat.status.queryOptions(),
    // Upstream trouble is watched closely, a healthy Claude now and then.
    refetchInterval: (query) => (query.state.data?.breaker && query.state.data.breaker !== "closed" ? 5_000 : 30_000),
  });
  const disabledReason = status.data && !status.data.configured ? NOT_CONFIGURED_REASON : null;

  const open = useCallback(
    // Back to the list (a phone's first screen) starts at its top.
    (id: string | null, how: "push" | "replace" = "push") => router[how](id ? `${pathname}?c=${id}` : pathname, { scroll: id === null }),
    [router, pathname],
  );

  const create = useMutation({
    mutationFn: () => client.chat.createConversation.mutate({}),
    onSuccess: (conversation) => {
      void queryClient.invalidateQueries({ queryKey: trpc.chat.conversations.pathKey() });
      open(conversation.id);
    },
  });
  /** The start screen's first message: a new conversation, named after it, with Claude's answer on its way. */
  const start = useMutation({
    mutationFn: async (content: string) => {
      const conversation = await client.chat.createConversation.mutate({});
      try {
        await client.chat.send.mutate({ conversationId: conversation.id, content });
      } catch (error) {
        // Not sent (not configured, the limit): no empty conversation is left behind.
        await client.chat.deleteConversation.mutate({ conversationId: conversation.id }).catch(() => undefined);
        throw error;
      }
      return conversation;
    },
    onSuccess: (conversation) => {
      void queryClient.invalidateQueries({ queryKey: trpc.chat.conversations.pathKey() });
      open(conversation.id);
    },
  });

  // Any failed answer may be upstream trouble: ask the server how its circuit stands.
  const refetchStatus = status.refetch;
  const onFailure = useCallback((_failure: AnswerFailure) => void refetchStatus(), [refetchStatus]);
  const onCircuit = useCallback(
    (at: number) => {
      setRetryAt(at);
      void refetchStatus();
    },
    [refetchStatus],
  );

  return (
    <div className={styles.page}>
      <PageHeader
        eyebrow="Workspace"
        title="Chat"
        description="Ask Claude and watch the answer stream in. Conversations are kept with your account."
      />
      <StatusBanner status={status.data} retryAt={retryAt} />
      <div className={styles.layout} data-view={selectedId ? "conversation" : "list"}>
        <ConversationList
          selectedId={selectedId}
          onSelect={(id) => open(id)}
          onNew={() => create.mutate()}
          creating={create.isPending}
          onDeleted={(id) => {
            if (id === selectedId) open(null, "replace");
          }}
        />
        {selectedId ? (
          <ConversationPane
            key={selectedId}
            conversationId={selectedId}
            disabledReason={disabledReason}
            onBack={() => open(null)}
            onDeleted={() => open(null, "replace")}
            onFailure={onFailure}
            onCircuit={onCircuit}
          />
        ) : (
          <StartPane
            onStart={async (content) => {
              try {
                await start.mutateAsync(content);
                return true;
              } catch {
                return false;
              }
            }}
            starting={start.isPending}
            disabledReason={disabledReason}
            error={start.error ? errorMessage(start.error) : create.error ? errorMessage(create.error) : null}
          />
        )}
      </div>
    </div>
  );
}
