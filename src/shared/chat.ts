/** Chat with Claude as the API returns it and the chat page shows it: limits, statuses, stream events. */

/** A message's text, after trimming: 1 to this many characters. */
export const CHAT_CONTENT_MAX = 32_000;
export const CHAT_TITLE_MAX = 200;
export const CHAT_SYSTEM_PROMPT_MAX = 8_000;
/** A conversation's title taken from its first message: that message, cut to this many characters. */
export const CHAT_AUTO_TITLE_LENGTH = 60;
/** The list's preview of a conversation's last message. */
export const CHAT_PREVIEW_LENGTH = 140;

export const CHAT_ROLES = ["user", "assistant"] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];

export const CHAT_MESSAGE_STATUSES = ["streaming", "complete", "error", "cancelled"] as const;
export type ChatMessageStatus = (typeof CHAT_MESSAGE_STATUSES)[number];

/**
 * Why an answer failed (a message's `errorCode`, an `error` event's `code`): the model's codes
 * (see the server's chat/model.ts), plus INTERRUPTED (the server writing it stopped: a restart
 * or a crash) and INTERNAL (a fault on our side). DELETED is only ever an `error` event: the
 * conversation was deleted while someone followed the answer (nothing of it is left to read).
 */
export type ChatErrorCode = "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE" | "CIRCUIT_OPEN" | "BAD_GATEWAY" | "INTERRUPTED" | "INTERNAL" | "DELETED";

/** An answer that will change no more. */
export const isAnswerFinished = (status: ChatMessageStatus) => status !== "streaming";
/** `chat.retry` applies to these (the conversation's last message only). */
export const isAnswerRetryable = (status: ChatMessageStatus) => status === "error" || status === "cancelled";

export interface ChatMessageView {
  id: string;
  role: ChatRole;
  /** The whole text; while `streaming`, what was saved when it was read (follow `chat.stream` for the rest). */
  content: string;
  status: ChatMessageStatus;
  inputTokens: number | null;
  outputTokens: number | null;
  model: string | null;
  stopReason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** From sending to Claude's first text, in milliseconds. */
  firstTokenMs: number | null;
  totalMs: number | null;
  createdAt: Date;
}

export interface ConversationSummary {
  id: string;
  title: string | null;
  createdAt: Date;
  /** The last activity: the list is ordered by it, newest first. */
  updatedAt: Date;
  lastMessage: { role: ChatRole; preview: string; status: ChatMessageStatus; createdAt: Date } | null;
}

export interface ConversationView {
  id: string;
  title: string | null;
  systemPrompt: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Oldest first. */
  messages: ChatMessageView[];
}

/** What `chat.stream` yields (each as `tracked(eventId, event)`). */
export type ChatStreamEvent =
  | { type: "delta"; text: string }
  | { type: "done"; message: ChatMessageView }
  /** `retryAfterS`: when Claude said it would take requests again (its 429), or when Pulse will try it again (an open circuit). */
  | { type: "error"; code: ChatErrorCode; message: string; retryAfterS?: number };

/** `chat.status`: whether the page can chat at all, and whether Claude is reachable as far as this server knows. */
export interface ChatStatus {
  configured: boolean;
  model: string | null;
  /** The model client's circuit breaker, when it has one: "open" means Pulse is not calling Claude for now. */
  breaker: "closed" | "open" | "half-open" | null;
  messagesPerMinute: number;
}

/** Every response of Pulse's local Anthropic stand-in carries this header: the chat load test runs only against a server that sends it. */
export const STAND_IN_HEADER = "x-pulse-stand-in";
