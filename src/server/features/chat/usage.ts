/** What the chat has been used for: messages and tokens, one person's or everyone's (analytics summary, exports). */
import type pg from "pg";
import type { UsageSection } from "@/shared/analytics";

export interface ChatUsage {
  conversations: number;
  messages: number;
  answers: number;
  inputTokens: number;
  outputTokens: number;
}

/** Messages of conversations with a message since `since` (all time without it); every owner's when userId is null. */
export async function chatUsage(pool: pg.Pool, userId: string | null, since?: Date): Promise<ChatUsage> {
  const { rows } = await pool.query<ChatUsage>(
    `SELECT count(DISTINCT c.id)::int AS conversations, count(m.id)::int AS messages, count(m.id) FILTER (WHERE m.role = 'assistant')::int AS answers,
            coalesce(sum(m."inputTokens"), 0)::float8 AS "inputTokens", coalesce(sum(m."outputTokens"), 0)::float8 AS "outputTokens"
     FROM "Conversation" c JOIN "ChatMessage" m ON m."conversationId" = c.id
     WHERE ($1::uuid IS NULL OR c."ownerId" = $1) AND ($2::timestamptz IS NULL OR m."createdAt" >= $2)`,
    [userId, since ?? null],
  );
  return rows[0]!;
}

export function usageSection(usage: ChatUsage): UsageSection {
  return {
    feature: "chat",
    title: "Chat with Claude",
    figures: [
      { key: "conversations", label: "Conversations", value: usage.conversations, unit: "count" },
      {
        key: "messages",
        label: "Messages",
        value: usage.messages,
        unit: "count",
        breakdown: [
          { key: "questions", label: "Questions", value: usage.messages - usage.answers },
          { key: "answers", label: "Answers", value: usage.answers },
        ],
      },
      { key: "inputTokens", label: "Input tokens", value: usage.inputTokens, unit: "tokens" },
      { key: "outputTokens", label: "Output tokens", value: usage.outputTokens, unit: "tokens" },
    ],
  };
}
