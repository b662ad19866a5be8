/**
 * What an answer is given: the system prompt and as many of the conversation's most recent
 * complete messages as fit the token budget (estimated at ~4 characters a token), always
 * including the newest. Failed and stopped answers are left out, and the messages are made to
 * alternate user/assistant starting with the user, as the Messages API expects.
 */
import type pg from "pg";
import type { ModelMessage } from "./model.js";
import { contextMessages } from "./rows.js";

export const CHARS_PER_TOKEN = 4;

export async function buildContext(pool: pg.Pool, conversationId: string, through: Date, systemPrompt: string | null, contextTokens: number) {
  const budgetChars = Math.max(0, contextTokens * CHARS_PER_TOKEN - (systemPrompt?.length ?? 0));
  const rows = await contextMessages(pool, conversationId, through, budgetChars);
  return { ...(systemPrompt ? { system: systemPrompt } : {}), messages: alternate(rows) };
}

/** Consecutive messages of one role (a question whose answer failed, then another) become one; a leading answer is dropped. */
export function alternate(rows: ModelMessage[]): ModelMessage[] {
  const messages: ModelMessage[] = [];
  for (const row of rows) {
    const last = messages.at(-1);
    if (!last && row.role === "assistant") continue;
    if (last?.role === row.role) last.content += `\n\n${row.content}`;
    else messages.push({ role: row.role, content: row.content });
  }
  return messages;
}
