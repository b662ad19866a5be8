import { z } from "zod";
import { CHAT_CONTENT_MAX, CHAT_SYSTEM_PROMPT_MAX, CHAT_TITLE_MAX } from "@/shared/chat";
import { eventId, groupDigits, text } from "@/shared/input";

const conversationId = z.uuid("That is not a conversation id.");
const messageId = z.uuid("That is not a message id.");

const title = text().trim().min(1, "A title cannot be empty.").max(CHAT_TITLE_MAX, `A title is at most ${CHAT_TITLE_MAX} characters.`);
/** Empty after trimming: no system prompt. */
const systemPrompt = text()
  .trim()
  .max(CHAT_SYSTEM_PROMPT_MAX, `A system prompt is at most ${groupDigits(CHAT_SYSTEM_PROMPT_MAX)} characters.`)
  .transform((value) => value || undefined);

/** What a person writes to Claude: counted after trimming, so whitespace alone is empty. */
export const content = text()
  .trim()
  .min(1, "Write a message first: it is empty.")
  .max(CHAT_CONTENT_MAX, `A message is at most ${groupDigits(CHAT_CONTENT_MAX)} characters.`);

export const conversationIdInput = z.object({ conversationId }).strict();
export const messageIdInput = z.object({ messageId }).strict();

export const listInput = z
  .object({
    cursor: conversationId.nullish(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict()
  .default({ limit: 20 });
export type ListInput = z.infer<typeof listInput>;

export const createInput = z.object({ title: title.optional(), systemPrompt: systemPrompt.optional() }).strict().default({});
export type CreateInput = z.infer<typeof createInput>;

export const renameInput = z.object({ conversationId, title }).strict();

export const sendInput = z.object({ conversationId, content }).strict();
export type SendInput = z.infer<typeof sendInput>;

/** Without `lastEventId`: the answer so far first, then the rest live. With it: only what came after that event. */
export const streamInput = z.object({ messageId, lastEventId: eventId.nullish() }).strict();
export type StreamInput = z.infer<typeof streamInput>;
