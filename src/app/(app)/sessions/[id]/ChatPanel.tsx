"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { errorMessage } from "@/components/errors";
import { ChatIcon } from "@/components/icons";
import { MESSAGE_MAX_CHARS } from "@/shared/sessions/limits";
import { SendIcon } from "@/components/sessions/SessionIcons";
import type { FeedItem } from "@/components/sessions/useSessionRoom";
import { formatClock } from "@/components/time";
import { Avatar, Button, CardHeader, cx, ui } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import styles from "./ChatPanel.module.css";

const NEAR_BOTTOM_PX = 80;

function timeOf(at: Date): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function ChatPanel({
  sessionId,
  myId,
  feed,
  canLoadOlder,
  loadingOlder,
  onLoadOlder,
  closed,
  composerRef,
}: {
  sessionId: string;
  myId: string;
  feed: FeedItem[];
  canLoadOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder(): void;
  /** The session has ended: the chat is read-only. */
  closed: boolean;
  composerRef?: React.RefObject<HTMLTextAreaElement | null>;
}) {
  const trpc = useTRPC();
  const send = useMutation(trpc.sessions.sendMessage.mutationOptions());
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  const lastCount = useRef(0);

  const length = text.trim().length;
  const over = length > MESSAGE_MAX_CHARS;
  const showCounter = text.length > 0;

  // Follow new lines while the reader is at the bottom (and always after sending one).
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const grew = feed.length > lastCount.current;
    lastCount.current = feed.length;
    const mine = feed.at(-1)?.kind === "message" && (feed.at(-1) as { userId: string }).userId === myId;
    if (grew && (stick.current || mine)) list.scrollTop = list.scrollHeight;
  }, [feed, myId]);

  useEffect(() => {
    if (!error) return;
    const timer = setTimeout(() => setError(null), 8_000);
    return () => clearTimeout(timer);
  }, [error]);

  function submit() {
    if (!length || over || send.isPending || closed) return;
    setError(null);
    send.mutate(
      { sessionId, text },
      {
        onSuccess: () => setText(""),
        // The server's own words: too long, the session ended, you left…
        onError: (err) => setError(errorMessage(err)),
      },
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  const messages = feed.filter((item) => item.kind === "message").length;

  return (
    <section className={cx(ui.card, styles.chat)} aria-labelledby="chat-title">
      <CardHeader
        titleId="chat-title"
        title="Chat"
        description={
          closed
            ? `${messages ? `${messages} ${messages === 1 ? "message" : "messages"}` : "No messages"} · the chat closed with the session.`
            : messages
              ? `${messages} ${messages === 1 ? "message" : "messages"}`
              : "Say hello to the room."
        }
      />
      <ol
        className={styles.list}
        ref={listRef}
        aria-label="Messages"
        aria-live="polite"
        aria-relevant="additions"
        onScroll={(event) => {
          const list = event.currentTarget;
          stick.current = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
        }}
      >
        {canLoadOlder ? (
          <li className={styles.older}>
            <Button size="sm" variant="ghost" onClick={onLoadOlder} loading={loadingOlder}>
              Earlier messages
            </Button>
          </li>
        ) : null}
        {feed.length === 0 ? (
          <li className={styles.empty}>
            <span className={ui.emptyIcon}>
              <ChatIcon size={20} />
            </span>
            <span>No messages yet.</span>
          </li>
        ) : null}
        {feed.map((item, i) => {
          if (item.kind === "activity") {
            return (
              <li key={item.id} className={styles.activity} data-tone={item.tone} data-testid="chat-activity">
                <span>{item.text}</span>
                <time dateTime={new Date(item.at).toISOString()} title={formatClock(item.at)}>
                  {timeOf(item.at)}
                </time>
              </li>
            );
          }
          const mine = item.userId === myId;
          const previous = feed[i - 1];
          const continued = previous?.kind === "message" && previous.userId === item.userId && +new Date(item.at) - +new Date(previous.at) < 120_000;
          return (
            <li key={item.id} className={cx(styles.message, mine && styles.mine, continued && styles.continued)} data-testid="chat-message">
              {!mine && !continued ? <Avatar name={item.name} /> : <span className={styles.gutter} aria-hidden="true" />}
              <div className={styles.body}>
                {!continued ? (
                  <div className={styles.meta}>
                    <span className={styles.author}>{mine ? "You" : item.name}</span>
                    <time dateTime={new Date(item.at).toISOString()} title={formatClock(item.at)}>
                      {timeOf(item.at)}
                    </time>
                  </div>
                ) : (
                  <span className="sr-only">{mine ? "You" : item.name}:</span>
                )}
                <p className={styles.bubble} data-testid="chat-text">{item.text}</p>
              </div>
            </li>
          );
        })}
      </ol>
      <form className={styles.composer} onSubmit={onSubmit} noValidate>
        <label htmlFor="chat-input" className="sr-only">
          Message
        </label>
        <div className={cx(styles.inputWrap, over && styles.inputOver)}>
          <textarea
            id="chat-input"
            ref={composerRef}
            className={styles.input}
            rows={2}
            placeholder={closed ? "This session has ended." : "Write a message…  (Enter to send, Shift+Enter for a new line)"}
            value={text}
            disabled={closed}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            aria-invalid={over || undefined}
            aria-describedby="chat-help"
          />
          <Button type="submit" variant="primary" size="sm" icon loading={send.isPending} disabled={!length || over || closed} aria-label="Send message">
            {send.isPending ? null : <SendIcon size={15} />}
          </Button>
        </div>
        <div id="chat-help" className={styles.help} role={over || error ? "alert" : undefined}>
          {over ? (
            <span className={cx(ui.fieldError, styles.error)}>
              A message is at most {MESSAGE_MAX_CHARS.toLocaleString("en")} characters: remove {(length - MESSAGE_MAX_CHARS).toLocaleString("en")} to send it.
            </span>
          ) : error ? (
            <span className={cx(ui.fieldError, styles.error)}>{error}</span>
          ) : (
            <span />
          )}
          {showCounter || over ? (
            <span className={cx(styles.counter, "tabular", over && styles.counterOver)} data-testid="chat-counter">
              {length.toLocaleString("en")} / {MESSAGE_MAX_CHARS.toLocaleString("en")}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
