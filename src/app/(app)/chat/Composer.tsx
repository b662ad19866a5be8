"use client";
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { SendIcon } from "@/components/chat/icons";
import { Button, ErrorRegion } from "@/components/ui";
import { CHAT_CONTENT_MAX } from "@/shared/chat";
import styles from "./Composer.module.css";

const number = new Intl.NumberFormat("en");
/** The counter shows from here on. */
const NEAR_LIMIT = CHAT_CONTENT_MAX - 2_000;

export interface ComposerProps {
  /** Sends the trimmed text; resolves true when it was taken (the draft is then cleared). */
  onSend(content: string): Promise<boolean>;
  sending: boolean;
  /** An answer is being written in this conversation: the next message waits for it. */
  answering: boolean;
  /** Why nothing can be sent here at all (Claude not configured), or null. */
  disabledReason: string | null;
  /** The server's answer to the last send, in words. */
  error: string | null;
  /** Set from outside (an example prompt): becomes the draft. */
  draft?: { text: string } | null;
  autoFocus?: boolean;
}

/** The message box: Enter sends, Shift+Enter starts a new line; 32,000 characters at most. */
export function Composer({ onSend, sending, answering, disabledReason, error, draft, autoFocus }: ComposerProps) {
  const [value, setValue] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  const length = value.trim().length;
  const over = length > CHAT_CONTENT_MAX;
  const blocked = disabledReason !== null;
  const canSend = !blocked && !answering && !sending && length > 0 && !over;

  // Focus on opening, where a keyboard is at hand (on a phone it would pop up over the messages).
  useEffect(() => {
    if (autoFocus && window.matchMedia("(hover: hover) and (pointer: fine)").matches) area.current?.focus({ preventScroll: true });
  }, [autoFocus]);

  useEffect(() => {
    if (!draft) return;
    setValue(draft.text);
    area.current?.focus();
  }, [draft]);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!canSend) return;
    if (await onSend(value.trim())) setValue("");
    area.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    void submit();
  };

  const hint = blocked
    ? disabledReason
    : answering
      ? "Claude is answering: wait for the answer, or stop it, to send your next message."
      : "Enter to send, Shift+Enter for a new line.";

  return (
    <form className={styles.composer} onSubmit={(event) => void submit(event)} aria-label="Message Claude">
      <ErrorRegion message={error} title="Not sent" />
      <div className={styles.box} data-disabled={blocked || undefined} data-over={over || undefined}>
        <label htmlFor={id} className="sr-only">
          Message Claude
        </label>
        <textarea
          ref={area}
          id={id}
          className={styles.input}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder={blocked ? "Chat is unavailable on this server" : "Ask Claude anything…"}
          rows={1}
          disabled={blocked}
          aria-describedby={`${id}-hint ${id}-count`}
          aria-invalid={over || undefined}
        />
        <Button type="submit" variant="primary" className={styles.send} disabled={!canSend} loading={sending} aria-label="Send message">
          {sending ? null : <SendIcon size={16} />}
          <span className={styles.sendLabel}>Send</span>
        </Button>
      </div>
      <div className={styles.meta}>
        <p className={styles.hint} id={`${id}-hint`}>
          {hint}
        </p>
        <p className={styles.count} id={`${id}-count`} data-over={over || undefined} aria-live="polite">
          {length > NEAR_LIMIT
            ? over
              ? `${number.format(length - CHAT_CONTENT_MAX)} ${length - CHAT_CONTENT_MAX === 1 ? "character" : "characters"} over the ${number.format(CHAT_CONTENT_MAX)} limit`
              : `${number.format(length)} / ${number.format(CHAT_CONTENT_MAX)}`
            : ""}
        </p>
      </div>
    </form>
  );
}
