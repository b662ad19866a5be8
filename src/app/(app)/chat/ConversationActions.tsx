"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { PencilIcon } from "@/components/chat/icons";
import { ConfirmButton } from "@/components/ConfirmButton";
import { errorMessage } from "@/components/errors";
import { TrashIcon } from "@/components/icons";
import { Button, ui } from "@/components/ui";
import { CHAT_TITLE_MAX } from "@/shared/chat";
import { useTRPC, useTRPCClient } from "@/trpc/react";
import styles from "./List.module.css";

export const UNTITLED = "New chat";

/** A conversation's title in an input: Enter or Save renames it, Escape or Cancel leaves it. */
export function RenameForm({ id, title, onClose, place = "list" }: { id: string; title: string | null; onClose(): void; place?: "list" | "header" }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const rename = useMutation({
    mutationFn: (next: string) => client.chat.renameConversation.mutate({ conversationId: id, title: next }),
    onSuccess: () => {
      onClose();
      void queryClient.invalidateQueries({ queryKey: trpc.chat.pathKey() });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next = String(new FormData(event.currentTarget).get("title") ?? "").trim();
    if (!next || next === title) return onClose();
    rename.mutate(next);
  };
  return (
    <form className={styles.renameForm} data-place={place} onSubmit={submit}>
      <label className="sr-only" htmlFor={`rename-${id}`}>
        New title
      </label>
      <input
        id={`rename-${id}`}
        name="title"
        className={ui.input}
        defaultValue={title ?? ""}
        placeholder={UNTITLED}
        maxLength={CHAT_TITLE_MAX}
        autoFocus
        onFocus={(event) => event.target.select()}
        onKeyDown={(event) => {
          if (event.key === "Escape") onClose();
        }}
      />
      <div className={styles.itemActions}>
        <Button size="sm" variant="ghost" onClick={onClose}>
          Cancel
        </Button>
        <Button size="sm" variant="primary" type="submit" loading={rename.isPending}>
          Save
        </Button>
      </div>
      {rename.error && (
        <p className={styles.itemProblem} role="alert">
          {errorMessage(rename.error)}
        </p>
      )}
    </form>
  );
}

/** Rename (inline, in the given place) and delete (in two clicks) for one conversation. */
export function ConversationActions({
  id,
  title,
  onRename,
  onDeleted,
  compact,
}: {
  id: string;
  title: string | null;
  onRename(): void;
  onDeleted(): void;
  /** Icons only (a phone's conversation header). */
  compact?: boolean;
}) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const name = title ?? UNTITLED;
  const remove = useMutation({
    mutationFn: () => client.chat.deleteConversation.mutate({ conversationId: id }),
    onSuccess: () => {
      onDeleted();
      void queryClient.invalidateQueries({ queryKey: trpc.chat.conversations.pathKey() });
    },
    onError: (error) => setProblem(errorMessage(error)),
  });
  return (
    <>
      <div className={compact ? styles.compactActions : styles.itemActions}>
        <Button size="sm" variant="ghost" icon={compact} onClick={onRename} aria-label={`Rename ${name}`} title={compact ? "Rename" : undefined}>
          <PencilIcon size={14} />
          {compact ? null : "Rename"}
        </Button>
        <ConfirmButton label={`Delete ${name}`} confirmLabel="Delete" onConfirm={() => remove.mutate()} loading={remove.isPending}>
          {compact ? <TrashIcon size={14} /> : "Delete"}
        </ConfirmButton>
      </div>
      {problem && (
        <p className={styles.itemProblem} role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
