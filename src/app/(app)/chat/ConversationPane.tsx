"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { ArrowLeftIcon } from "@/components/chat/icons";
import { ConnectionIndicator } from "@/components/ConnectionIndicator";
import { errorMessage } from "@/components/errors";
import { Alert, Button, LoadError, Skeleton } from "@/components/ui";
import type { ChatMessageView } from "@/shared/chat";
import { errorCode, useTRPC, useTRPCClient } from "@/trpc/react";
import { ChatMessage } from "./ChatMessage";
import { Composer } from "./Composer";
import { ConversationActions, RenameForm } from "./ConversationActions";
import { ExamplePrompts } from "./ExamplePrompts";
import type { AnswerFailure } from "./useAnswerStream";
import { localMessage, useChatCache } from "./useChatCache";
import styles from "./Chat.module.css";

/** How close to the bottom (px) still counts as "reading the latest": new text then keeps it in view. */
const STICK_PX = 96;

export interface PaneProps {
  conversationId: string;
  disabledReason: string | null;
  onBack(): void;
  onDeleted(): void;
  onFailure(failure: AnswerFailure): void;
  /** An answer refused because the circuit is open: when Pulse tries Claude again (epoch ms). */
  onCircuit(retryAt: number): void;
}

/** One conversation: its messages (an answer being written streams in), and the composer. */
export function ConversationPane({ conversationId, disabledReason, onBack, onDeleted, onFailure, onCircuit }: PaneProps) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const cache = useChatCache(conversationId);
  const conversation = useQuery(trpc.chat.conversation.queryOptions({ conversationId }));
  const [draft, setDraft] = useState<{ text: string } | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);

  const send = useMutation({
    mutationFn: (content: string) => client.chat.send.mutate({ conversationId, content }),
    onSuccess: ({ userMessageId, assistantMessageId }, content) => {
      cache.append(localMessage(userMessageId, "user", content), localMessage(assistantMessageId, "assistant"));
      cache.refresh();
    },
  });
  const retry = useMutation({
    mutationFn: (messageId: string) => client.chat.retry.mutate({ messageId }),
    onMutate: () => setActionError(null),
    onSuccess: ({ assistantMessageId }) => {
      cache.append(localMessage(assistantMessageId, "assistant"));
      cache.refresh();
    },
    onError: (error) => setActionError(errorMessage(error)),
  });
  const cancel = useMutation({
    mutationFn: (messageId: string) => client.chat.cancel.mutate({ messageId }),
    onMutate: () => setActionError(null),
    onSuccess: (message) => {
      cache.replace(message);
      cache.refreshList();
    },
    // Most often it finished just before: read it again.
    onError: (error) => {
      setActionError(errorMessage(error));
      cache.refresh();
    },
  });

  const messages = conversation.data?.messages ?? [];
  useCircuitFromMessages(messages, onCircuit);
  const answering = messages.some((m) => m.status === "streaming");
  const last = messages[messages.length - 1];
  const scroller = useFollowBottom(conversationId, messages.length);
  // The list says "Claude is writing…" until it is read after the answer ended (which may have
  // ended before this page followed it).
  const settled = conversation.isSuccess && !answering;
  useEffect(() => {
    if (settled) cache.refreshList();
  }, [settled, cache]);

  const onSend = async (content: string) => {
    try {
      await send.mutateAsync(content);
      return true;
    } catch {
      return false;
    }
  };

  const title = conversation.data?.title ?? (conversation.isPending ? "" : "New chat");
  return (
    <section className={styles.pane} aria-labelledby="conversation-title" data-testid="conversation-pane">
      <header className={styles.paneHeader}>
        <Button variant="ghost" size="sm" icon className={styles.back} onClick={onBack} aria-label="Back to conversations">
          <ArrowLeftIcon size={17} />
        </Button>
        {renaming && conversation.data ? (
          <div className={styles.paneTitleText}>
            <RenameForm id={conversationId} title={conversation.data.title} onClose={() => setRenaming(false)} place="header" />
          </div>
        ) : (
          <div className={styles.paneTitleText}>
            <h2 className={styles.paneTitle} id="conversation-title">
              {title || <Skeleton width={180} height={16} />}
            </h2>
            <p className={styles.paneSub}>
              {messages.length ? `${messages.length} ${messages.length === 1 ? "message" : "messages"}` : "Claude, streamed as it writes"}
            </p>
          </div>
        )}
        {/* On a phone the list (with these) is another screen away. */}
        {conversation.data && !renaming && (
          <div className={styles.paneActions}>
            <ConversationActions id={conversationId} title={conversation.data.title} onRename={() => setRenaming(true)} onDeleted={onDeleted} compact />
          </div>
        )}
        <ConnectionIndicator />
      </header>

      <div className={styles.scroller} ref={scroller}>
        {conversation.isError ? (
          <div className={styles.paneState}>
            {errorCode(conversation.error) === "NOT_FOUND" ? (
              <LoadError title="This conversation doesn't exist" error={conversation.error} onRetry={() => void conversation.refetch()}>
                It may have been deleted, perhaps on another device.
              </LoadError>
            ) : (
              <LoadError title="This conversation can't be loaded" error={conversation.error} onRetry={() => void conversation.refetch()} />
            )}
          </div>
        ) : conversation.isPending ? (
          <div className={styles.paneState} aria-busy="true">
            <Skeleton width="40%" height={38} />
            <Skeleton width="75%" height={70} />
          </div>
        ) : messages.length === 0 ? (
          <div className={styles.paneState}>
            <ExamplePrompts
              title="This conversation is empty"
              text="Write below, or start from one of these. Answers stream in as Claude writes them, and you can stop one mid-way."
              disabled={disabledReason !== null}
              onPick={(text) => setDraft({ text })}
            />
          </div>
        ) : (
          <ol className={styles.messages} aria-label="Messages">
            {messages.map((message) => (
              <ChatMessage
                key={message.id}
                message={message}
                conversationId={conversationId}
                isLast={message.id === last?.id}
                onStop={(id) => cancel.mutate(id)}
                stopping={cancel.isPending}
                onRetry={(id) => retry.mutate(id)}
                retrying={retry.isPending}
                onFailure={onFailure}
              />
            ))}
          </ol>
        )}
        {actionError && (
          <div className={styles.actionError}>
            <Alert tone="danger" role="alert">
              <p>{actionError}</p>
            </Alert>
          </div>
        )}
      </div>

      <Composer
        key={conversationId}
        onSend={onSend}
        sending={send.isPending}
        answering={answering}
        disabledReason={disabledReason}
        error={send.error ? errorMessage(send.error) : null}
        draft={draft}
        autoFocus
      />
    </section>
  );
}

/**
 * An answer that failed fast on the open circuit says when Pulse tries again ("… in 30 s."),
 * counted from when it ended: the banner's countdown, also when the page only read the answer
 * (it failed before the page followed it).
 */
function useCircuitFromMessages(messages: ChatMessageView[], onCircuit: (retryAt: number) => void) {
  const last = messages.findLast((m) => m.errorCode === "CIRCUIT_OPEN");
  const retryAt = last ? circuitRetryAt(last) : null;
  useEffect(() => {
    if (retryAt !== null) onCircuit(retryAt);
  }, [retryAt, onCircuit]);
}

function circuitRetryAt(message: ChatMessageView): number | null {
  const seconds = Number(/in (\d+) s\b/.exec(message.errorMessage ?? "")?.[1] ?? NaN);
  if (!Number.isFinite(seconds)) return null;
  return new Date(message.createdAt).getTime() + (message.totalMs ?? 0) + seconds * 1000;
}

/**
 * The message list's scroller: at the bottom when a conversation opens, and kept there as text
 * arrives, unless the person scrolled up to read.
 */
function useFollowBottom(conversationId: string, count: number) {
  const ref = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  useLayoutEffect(() => {
    stuck.current = true;
  }, [conversationId]);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onScroll = () => {
      stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    // Streamed text grows a message without a new render of the list: watch the content's size.
    const observer = new ResizeObserver(() => {
      if (stuck.current) el.scrollTop = el.scrollHeight;
    });
    for (const child of Array.from(el.children)) observer.observe(child);
    return () => {
      el.removeEventListener("scroll", onScroll);
      observer.disconnect();
    };
  });
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stuck.current) el.scrollTop = el.scrollHeight;
  }, [conversationId, count]);
  return ref;
}
