"use client";
import { CopyButton } from "@/components/CopyButton";
import { Markdown } from "@/components/chat/Markdown";
import { RetryIcon, StopIcon } from "@/components/chat/icons";
import { SparkIcon } from "@/components/icons";
import { formatClock } from "@/components/time";
import { Alert, Badge, Button } from "@/components/ui";
import { isAnswerRetryable, type ChatMessageView } from "@/shared/chat";
import { useAnswerStream, type AnswerFailure } from "./useAnswerStream";
import styles from "./Messages.module.css";

export interface MessageActions {
  conversationId: string;
  /** Only the conversation's last answer can be retried. */
  isLast: boolean;
  onStop(messageId: string): void;
  stopping: boolean;
  onRetry(messageId: string): void;
  retrying: boolean;
  onFailure?(failure: AnswerFailure): void;
}

/** One message; an answer still being written follows its stream. */
export function ChatMessage({ message, ...actions }: { message: ChatMessageView } & MessageActions) {
  if (message.role === "assistant" && message.status === "streaming") return <LiveAnswer key={message.id} message={message} {...actions} />;
  return <Bubble message={message} text={message.content} {...actions} />;
}

function LiveAnswer({ message, ...actions }: { message: ChatMessageView } & MessageActions) {
  const live = useAnswerStream(message, actions.conversationId, actions.onFailure);
  // An `error` event shows at once; the message read again afterwards carries the same words.
  const shown: ChatMessageView = live.failure ? { ...message, status: "error", errorCode: live.failure.code, errorMessage: live.failure.message } : message;
  return <Bubble message={shown} text={live.text} problem={live.problem} {...actions} />;
}

const FAILURE_TITLE: Record<string, string> = {
  TOO_MANY_REQUESTS: "Claude is rate-limited",
  SERVICE_UNAVAILABLE: "Claude didn't finish this answer",
  CIRCUIT_OPEN: "Claude is unavailable right now",
  BAD_GATEWAY: "Anthropic refused the request",
  INTERRUPTED: "The answer was interrupted",
  DELETED: "This conversation was deleted",
};

function Bubble({
  message,
  text,
  problem,
  isLast,
  onStop,
  stopping,
  onRetry,
  retrying,
}: { message: ChatMessageView; text: string; problem?: string | null } & MessageActions) {
  const mine = message.role === "user";
  const streaming = message.status === "streaming";
  const retryable = !mine && isLast && isAnswerRetryable(message.status);
  return (
    <li className={styles.message} data-testid="message" data-role={message.role} data-status={message.status} aria-busy={streaming || undefined}>
      {!mine && (
        <span className={styles.avatar} aria-hidden="true">
          <SparkIcon size={15} />
        </span>
      )}
      <div className={styles.body}>
        <span className="sr-only">{mine ? "You said:" : "Claude said:"}</span>
        {(text || streaming || message.status === "cancelled") && (
          <div className={styles.bubble} data-testid="bubble">
            {text ? <Markdown text={text} /> : streaming ? <Typing /> : <p className="subtle">Stopped before any text.</p>}
            {streaming && text ? <span className={styles.caret} aria-hidden="true" /> : null}
          </div>
        )}
        {message.status === "error" && (
          <Alert
            tone={message.errorCode === "TOO_MANY_REQUESTS" ? "warning" : "danger"}
            title={FAILURE_TITLE[message.errorCode ?? ""] ?? "Claude's answer failed"}
            className={styles.failure}
          >
            <p data-testid="answer-error">{message.errorMessage ?? "The answer failed. Try again in a moment."}</p>
          </Alert>
        )}
        {problem && (
          <Alert tone="warning" title="The answer can't be followed live" className={styles.failure}>
            <p>{problem} It is still being written on the server: open the conversation again to see it.</p>
          </Alert>
        )}
        <div className={styles.footer}>
          {streaming ? (
            <>
              <span className={styles.writing} role="status">
                <span className={styles.pulse} aria-hidden="true" />
                Claude is writing…
              </span>
              <Button size="sm" onClick={() => onStop(message.id)} loading={stopping} aria-label="Stop the answer">
                {stopping ? null : <StopIcon size={12} />}
                Stop
              </Button>
            </>
          ) : (
            <>
              {message.status === "cancelled" && <Badge tone="warning">Stopped</Badge>}
              {!mine && message.status !== "error" && <Usage message={message} />}
              {retryable && (
                <Button size="sm" variant={message.status === "error" ? "primary" : "secondary"} onClick={() => onRetry(message.id)} loading={retrying}>
                  {retrying ? null : <RetryIcon size={13} />}
                  Retry
                </Button>
              )}
              {text && (
                <span className={styles.copy}>
                  <CopyButton text={text} label="Copy" quiet />
                </span>
              )}
            </>
          )}
          <time className={styles.time} dateTime={new Date(message.createdAt).toISOString()}>
            {formatClock(message.createdAt)}
          </time>
        </div>
      </div>
    </li>
  );
}

const number = new Intl.NumberFormat("en");
const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Tokens in and out, the model, and how long Claude took to start. */
function Usage({ message }: { message: ChatMessageView }) {
  const tokens =
    message.inputTokens !== null && message.outputTokens !== null
      ? `${number.format(message.inputTokens)} tokens in · ${number.format(message.outputTokens)} out`
      : message.inputTokens !== null
        ? `${number.format(message.inputTokens)} tokens in`
        : null;
  if (!tokens && !message.model) return null;
  return (
    <p className={styles.usage} data-testid="usage">
      {tokens && <span title="Tokens sent to Claude, and written by it">{tokens}</span>}
      {message.model && <span className={styles.model}>{message.model}</span>}
      {message.firstTokenMs !== null && <span title="From sending to Claude's first words">first token {seconds(message.firstTokenMs)}</span>}
      {message.totalMs !== null && message.status === "complete" && <span title="The whole answer">{seconds(message.totalMs)} in all</span>}
    </p>
  );
}

function Typing() {
  return (
    <span className={styles.typing} aria-label="Claude is thinking">
      <span />
      <span />
      <span />
    </span>
  );
}
