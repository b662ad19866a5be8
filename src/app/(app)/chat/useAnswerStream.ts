"use client";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useRef, useState } from "react";
import { errorMessage } from "@/components/errors";
import type { ChatErrorCode, ChatMessageView } from "@/shared/chat";
import { useTRPC } from "@/trpc/react";
import { useChatCache } from "./useChatCache";

export interface AnswerFailure {
  code: ChatErrorCode;
  message: string;
  retryAfterS?: number;
}

/**
 * An answer being written, followed over the shared WebSocket (`chat.stream`). The first event is
 * the answer so far, the next ones what comes after it; on `done` the finished message replaces
 * it in the cache, on `error` the error shows at once and the message is read again. After a
 * dropped connection tRPC's wsLink resubscribes with the last event id, so the server sends only
 * what was missed; an event at or below the last one applied is dropped all the same.
 */
export function useAnswerStream(message: ChatMessageView, conversationId: string, onFailure?: (failure: AnswerFailure) => void) {
  const trpc = useTRPC();
  const cache = useChatCache(conversationId);
  const [text, setText] = useState<string | null>(null);
  const [failure, setFailure] = useState<AnswerFailure | null>(null);
  const lastId = useRef<bigint>(-1n);
  const onFailureRef = useRef(onFailure);
  onFailureRef.current = onFailure;

  const subscription = useSubscription(
    trpc.chat.stream.subscriptionOptions(
      { messageId: message.id },
      {
        onData: ({ id, data: event }) => {
          const position = BigInt(id);
          if (position <= lastId.current) return;
          lastId.current = position;
          if (event.type === "delta") {
            setText((so) => (so ?? "") + event.text);
          } else if (event.type === "done") {
            cache.replace(event.message);
            cache.refreshList();
          } else {
            const ended: AnswerFailure = { code: event.code, message: event.message };
            if (event.retryAfterS !== undefined) ended.retryAfterS = event.retryAfterS;
            setFailure(ended);
            onFailureRef.current?.(ended);
            cache.refresh();
          }
        },
      },
    ),
  );

  return {
    /** The text so far: what the stream sent, or until its first event, what the page read. */
    text: text ?? message.content,
    failure,
    /** The stream itself failed (not the answer): the page offers to read the conversation again. */
    problem: subscription.status === "error" ? errorMessage(subscription.error) : null,
    connecting: subscription.status === "connecting" && text === null,
  };
}
