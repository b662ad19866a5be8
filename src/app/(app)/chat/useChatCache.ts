"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import type { ChatMessageView } from "@/shared/chat";
import { useTRPC } from "@/trpc/react";

/** A message the page shows before the server's copy is read back (after send or retry). */
export function localMessage(id: string, role: ChatMessageView["role"], content = ""): ChatMessageView {
  return {
    id,
    role,
    content,
    status: role === "user" ? "complete" : "streaming",
    inputTokens: null,
    outputTokens: null,
    model: null,
    stopReason: null,
    errorCode: null,
    errorMessage: null,
    firstTokenMs: null,
    totalMs: null,
    createdAt: new Date(),
  };
}

/**
 * The cached conversation and list, changed in place as answers move (so the page does not wait
 * for a read after each event), then read again from the server.
 */
export function useChatCache(conversationId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMemo(() => {
    const key = trpc.chat.conversation.queryKey({ conversationId });
    return {
      /** Adds messages at the end (those already there are left alone). */
      append(...messages: ChatMessageView[]) {
        queryClient.setQueryData(key, (conversation) => {
          if (!conversation) return conversation;
          const known = new Set(conversation.messages.map((m) => m.id));
          return { ...conversation, messages: [...conversation.messages, ...messages.filter((m) => !known.has(m.id))] };
        });
      },
      /** Puts the server's newer copy of a message in place of the cached one. */
      replace(message: ChatMessageView) {
        queryClient.setQueryData(key, (conversation) =>
          conversation && { ...conversation, messages: conversation.messages.map((m) => (m.id === message.id ? message : m)) },
        );
      },
      /** Reads the conversation again, and the list (titles, order, last activity). */
      refresh() {
        void queryClient.invalidateQueries({ queryKey: key });
        void queryClient.invalidateQueries({ queryKey: trpc.chat.conversations.pathKey() });
      },
      refreshList() {
        void queryClient.invalidateQueries({ queryKey: trpc.chat.conversations.pathKey() });
      },
    };
  }, [trpc, queryClient, conversationId]);
}
