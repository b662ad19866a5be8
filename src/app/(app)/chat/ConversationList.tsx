"use client";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { PlusIcon } from "@/components/icons";
import { formatRelative, useNow } from "@/components/time";
import { Button, LoadError, Skeleton, ui } from "@/components/ui";
import type { ConversationSummary } from "@/shared/chat";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import { ConversationActions, RenameForm, UNTITLED } from "./ConversationActions";
import styles from "./List.module.css";

const PAGE_SIZE = 30;

export interface ListProps {
  selectedId: string | null;
  onSelect(id: string): void;
  onNew(): void;
  creating: boolean;
  onDeleted(id: string): void;
}

/** My conversations, newest activity first, by pages (one cache for every component that asks). */
export function useConversations() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // Pages by cursor (not infiniteQueryOptions: its `direction` key is refused by the strict input).
  const list = useInfiniteQuery({
    queryKey: [...trpc.chat.conversations.pathKey(), { pages: PAGE_SIZE }],
    queryFn: ({ pageParam }) => client.chat.conversations.query({ limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // An answer being written shows as such in the list until it ends.
    refetchInterval: (query) => (query.state.data?.pages.some((page) => page.items.some((c) => c.lastMessage?.status === "streaming")) ? 4_000 : false),
  });
  return { list, items: list.data?.pages.flatMap((page) => page.items) ?? [] };
}

/** My conversations, newest activity first, paged by cursor; the open one can be renamed or deleted. */
export function ConversationList({ selectedId, onSelect, onNew, creating, onDeleted }: ListProps) {
  const now = useNow(30_000);
  const { list, items } = useConversations();

  return (
    <nav className={styles.list} aria-labelledby="conversations-title">
      <div className={styles.listHeader}>
        <h2 className={ui.cardTitle} id="conversations-title">
          Conversations
        </h2>
        <Button size="sm" variant="primary" onClick={onNew} loading={creating}>
          {creating ? null : <PlusIcon size={15} />}
          New chat
        </Button>
      </div>
      {list.isError ? (
        <div className={styles.listState}>
          <LoadError title="Your conversations can't be loaded" error={list.error} onRetry={() => void list.refetch()} />
        </div>
      ) : list.isPending ? (
        <div className={styles.listState} aria-busy="true">
          {[0, 1, 2].map((i) => (
            <div key={i} className={styles.itemSkeleton}>
              <Skeleton width="70%" height={13} />
              <Skeleton width="45%" height={11} />
            </div>
          ))}
        </div>
      ) : items.length === 0 ? (
        <p className={styles.listEmpty}>No conversations yet. Your conversations with Claude are kept here.</p>
      ) : (
        <ul className={styles.items} data-testid="conversation-list">
          {items.map((conversation) => (
            <ConversationItem
              key={conversation.id}
              conversation={conversation}
              selected={conversation.id === selectedId}
              onSelect={() => onSelect(conversation.id)}
              onDeleted={() => onDeleted(conversation.id)}
              now={now}
            />
          ))}
          {list.hasNextPage && (
            <li className={styles.more}>
              <Button size="sm" variant="ghost" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
                Older conversations
              </Button>
            </li>
          )}
        </ul>
      )}
    </nav>
  );
}

function ConversationItem({
  conversation,
  selected,
  onSelect,
  onDeleted,
  now,
}: {
  conversation: ConversationSummary;
  selected: boolean;
  onSelect(): void;
  onDeleted(): void;
  now: number;
}) {
  const [renaming, setRenaming] = useState(false);
  const last = conversation.lastMessage;
  const writing = last?.status === "streaming";
  return (
    <li className={styles.item} data-testid="conversation" data-selected={selected || undefined}>
      {renaming ? (
        <RenameForm id={conversation.id} title={conversation.title} onClose={() => setRenaming(false)} />
      ) : (
        <button type="button" className={styles.itemButton} onClick={onSelect} aria-current={selected ? "page" : undefined}>
          <span className={styles.itemTop}>
            <span className={styles.itemTitle}>{conversation.title ?? UNTITLED}</span>
            <time className={styles.itemTime} dateTime={new Date(conversation.updatedAt).toISOString()}>
              {formatRelative(conversation.updatedAt, now)}
            </time>
          </span>
          <span className={styles.itemPreview}>
            {writing ? (
              <span className={styles.itemWriting}>Claude is writing…</span>
            ) : last ? (
              `${last.role === "user" ? "You: " : ""}${last.preview || (last.status === "cancelled" ? "Stopped" : last.status === "error" ? "The answer failed" : "")}`
            ) : (
              "Empty"
            )}
          </span>
        </button>
      )}
      {selected && !renaming && (
        <ConversationActions id={conversation.id} title={conversation.title} onRename={() => setRenaming(true)} onDeleted={onDeleted} />
      )}
    </li>
  );
}
