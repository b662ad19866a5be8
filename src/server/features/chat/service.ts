/**
 * Chat with Claude: conversations and their messages, sending (the answer is generated on the
 * server, see generation.ts), retry, cancel, and each answer as a resumable live stream. A
 * conversation or message of another user does not exist, as far as the caller can tell (NOT_FOUND).
 *
 * The model is handed in: null means Claude is not configured on this server (no API key).
 */
import type pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { App } from "@/server/app";
import { eventStream, type EventStream } from "@/server/bus/live";
import type { EventSource, StoredEvent } from "@/server/bus/stream";
import { AppError, notFound } from "@/server/errors";
import type { UsageScope } from "@/server/feature";
import type { CheckProvider } from "@/server/metrics/checks";
import type { Caller } from "@/server/features/auth/service";
import {
  CHAT_AUTO_TITLE_LENGTH,
  CHAT_PREVIEW_LENGTH,
  isAnswerRetryable,
  type ChatMessageView,
  type ChatStatus,
  type ChatStreamEvent,
  type ConversationSummary,
  type ConversationView,
} from "@/shared/chat";
import { buildContext } from "./context.js";
import { createGenerations } from "./generation.js";
import type { ChatModel } from "./model.js";
import { CANCEL_CHANNEL, eventsAfter, messagesOf, messageWithOwner, newestEventId, streamChannel } from "./rows.js";
import type { CreateInput, ListInput, SendInput, StreamInput } from "./schemas.js";
import { anthropicReachability } from "./reachability.js";
import { chatUsage, usageSection } from "./usage.js";

export const NOT_CONFIGURED = "Claude is not configured on this server: set ANTHROPIC_API_KEY.";

/** A model client that can tell its circuit breaker's state (the Anthropic client does). */
type Observable = ChatModel & { state?: () => { breaker?: ChatStatus["breaker"] } };

/** One answer at a time in a conversation. */
async function refuseWhileAnswering(q: Pick<pg.Pool, "query">, conversationId: string) {
  const busy = await q.query(`SELECT 1 FROM "ChatMessage" WHERE "conversationId" = $1 AND status = 'streaming' LIMIT 1`, [conversationId]);
  if (busy.rowCount) throw new AppError("CONFLICT", "Claude is still answering in this conversation: wait for the answer or stop it first.");
}

const CONVERSATION_COLUMNS = `c.id::text AS id, c.title, c."systemPrompt", c."createdAt", c."updatedAt"`;

export function createChatService(app: App, model: ChatModel | null) {
  const { pool, bus, config } = app;
  const settings = config.chat;
  /** Tokens of the answers this process ended, in and out (read by /metrics). */
  const usage = { inputTokens: 0, outputTokens: 0 };
  const generations = createGenerations({
    pool,
    bus,
    log: app.log,
    instanceId: app.instanceId,
    onUsage(inputTokens, outputTokens) {
      usage.inputTokens += inputTokens;
      usage.outputTokens += outputTokens;
    },
  });
  const perUser = new RateLimiterPostgres({
    storeClient: pool,
    storeType: "pool",
    tableName: "rate_limits",
    tableCreated: true,
    keyPrefix: "chat_send",
    points: settings.messagesPerMinute,
    duration: 60,
  });

  async function consume(userId: string) {
    try {
      await perUser.consume(userId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterS = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new AppError("TOO_MANY_REQUESTS", `You can send ${settings.messagesPerMinute} messages a minute. Try again in ${retryAfterS} s.`, retryAfterS);
    }
  }

  function requireModel(): ChatModel {
    if (!model) throw new AppError("PRECONDITION_FAILED", NOT_CONFIGURED);
    return model;
  }

  async function ownedConversation(caller: Caller, conversationId: string): Promise<Omit<ConversationView, "messages">> {
    const { rows } = await pool.query<Omit<ConversationView, "messages">>(
      `SELECT ${CONVERSATION_COLUMNS} FROM "Conversation" c WHERE c.id = $1 AND c."ownerId" = $2`,
      [conversationId, caller.user.id],
    );
    if (!rows[0]) throw notFound("That conversation");
    return rows[0];
  }

  async function ownedMessage(caller: Caller, messageId: string) {
    const row = await messageWithOwner(pool, messageId);
    if (!row || row.ownerId !== caller.user.id) throw notFound("That message");
    return row;
  }

  /**
   * Inserts a streaming answer after `write` (in one transaction with the conversation locked, so
   * that one conversation has one answer streaming at a time), then starts generating it here.
   */
  async function startAnswer(caller: Caller, conversationId: string, write: (client: pg.PoolClient) => Promise<{ userMessageId: string | null; through: Date }>) {
    const chosen = requireModel();
    await ownedConversation(caller, conversationId);
    // Checked again under the lock below; here so that a refused send does not count against the limit.
    await refuseWhileAnswering(pool, conversationId);
    if (!caller.rateLimitExempt) await consume(caller.user.id);
    const startedAt = performance.now();
    const client = await pool.connect();
    let result: { userMessageId: string | null; assistantMessageId: string; through: Date; systemPrompt: string | null };
    try {
      await client.query("BEGIN");
      const locked = await client.query<{ systemPrompt: string | null }>(
        `SELECT "systemPrompt" FROM "Conversation" WHERE id = $1 AND "ownerId" = $2 FOR UPDATE`,
        [conversationId, caller.user.id],
      );
      if (!locked.rows[0]) throw notFound("That conversation");
      await refuseWhileAnswering(client, conversationId);
      const { userMessageId, through } = await write(client);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO "ChatMessage" (id, "conversationId", role, status, model, "generatedBy", "heartbeatAt", "createdAt")
         VALUES (gen_random_uuid(), $1, 'assistant', 'streaming', $2, $3, now(), now() + interval '1 millisecond') RETURNING id::text AS id`,
        [conversationId, settings.model, app.instanceId],
      );
      await client.query(`UPDATE "Conversation" SET "updatedAt" = now() WHERE id = $1`, [conversationId]);
      await client.query("COMMIT");
      result = { userMessageId, assistantMessageId: rows[0]!.id, through, systemPrompt: locked.rows[0].systemPrompt };
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    const context = await buildContext(pool, conversationId, result.through, result.systemPrompt, settings.contextTokens);
    void generations.run(chosen, result.assistantMessageId, { model: settings.model, maxTokens: settings.maxTokens, ...context }, startedAt);
    return { userMessageId: result.userMessageId, assistantMessageId: result.assistantMessageId };
  }

  function source(messageId: string): EventSource<ChatStreamEvent> {
    return {
      channel: streamChannel(messageId),
      readAfter: (afterId, limit) => eventsAfter(pool, messageId, afterId, limit),
      newestId: () => newestEventId(pool, messageId),
    };
  }

  const ends = ({ event }: StoredEvent<ChatStreamEvent>) => event.type !== "delta";

  return {
    /** Tokens of the answers this process ended since it started, in and out. */
    tokensUsed(): { inputTokens: number; outputTokens: number } {
      return { ...usage };
    },

    /** Mine, newest activity first, each with its last message's start. */
    async conversations(caller: Caller, { cursor, limit }: ListInput): Promise<{ items: ConversationSummary[]; nextCursor: string | null }> {
      const params: unknown[] = [caller.user.id, CHAT_PREVIEW_LENGTH];
      const after = cursor
        ? `AND (c."updatedAt", c.id) < (SELECT k."updatedAt", k.id FROM "Conversation" k WHERE k.id = $${params.push(cursor)}::uuid AND k."ownerId" = $1)`
        : "";
      type Row = Omit<ConversationSummary, "lastMessage"> & { role: ChatMessageView["role"] | null; preview: string | null; status: ChatMessageView["status"] | null; messageAt: Date | null };
      const { rows } = await pool.query<Row>(
        `SELECT c.id::text AS id, c.title, c."createdAt", c."updatedAt", l.role, l.preview, l.status, l."createdAt" AS "messageAt"
         FROM "Conversation" c
         LEFT JOIN LATERAL (SELECT m.role::text AS role, left(m.content, $2) AS preview, m.status::text AS status, m."createdAt"
                            FROM "ChatMessage" m WHERE m."conversationId" = c.id ORDER BY m."createdAt" DESC, m.id DESC LIMIT 1) l ON true
         WHERE c."ownerId" = $1 ${after}
         ORDER BY c."updatedAt" DESC, c.id DESC LIMIT $${params.push(limit + 1)}`,
        params,
      );
      const items = rows.slice(0, limit).map(({ role, preview, status, messageAt, ...conversation }): ConversationSummary => ({
        ...conversation,
        lastMessage: role && status && messageAt ? { role, preview: preview ?? "", status, createdAt: messageAt } : null,
      }));
      return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
    },

    async createConversation(caller: Caller, input: CreateInput): Promise<Omit<ConversationView, "messages">> {
      const { rows } = await pool.query<Omit<ConversationView, "messages">>(
        `INSERT INTO "Conversation" AS c (id, "ownerId", title, "systemPrompt") VALUES (gen_random_uuid(), $1, $2, $3) RETURNING ${CONVERSATION_COLUMNS}`,
        [caller.user.id, input.title ?? null, input.systemPrompt ?? null],
      );
      return rows[0]!;
    },

    async conversation(caller: Caller, conversationId: string): Promise<ConversationView> {
      const conversation = await ownedConversation(caller, conversationId);
      return { ...conversation, messages: await messagesOf(pool, conversationId) };
    },

    async renameConversation(caller: Caller, conversationId: string, title: string): Promise<Omit<ConversationView, "messages">> {
      const { rows } = await pool.query<Omit<ConversationView, "messages">>(
        `UPDATE "Conversation" c SET title = $3, "updatedAt" = now() WHERE c.id = $1 AND c."ownerId" = $2 RETURNING ${CONVERSATION_COLUMNS}`,
        [conversationId, caller.user.id, title],
      );
      if (!rows[0]) throw notFound("That conversation");
      return rows[0];
    },

    /** With its messages; an answer being written is stopped first (its watchers get its end). */
    async deleteConversation(caller: Caller, conversationId: string): Promise<{ id: string }> {
      await ownedConversation(caller, conversationId);
      const { rows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM "ChatMessage" WHERE "conversationId" = $1 AND status = 'streaming'`, [conversationId]);
      for (const { id } of rows) {
        await generations.finish(id, { status: "cancelled" });
        void bus.publish(CANCEL_CHANNEL, id).catch(() => undefined);
      }
      const deleted = await pool.query(`DELETE FROM "Conversation" WHERE id = $1 AND "ownerId" = $2`, [conversationId, caller.user.id]);
      if (!deleted.rowCount) throw notFound("That conversation");
      return { id: conversationId };
    },

    /** My message, and Claude's answer to it, generated on the server: follow it with `stream`. */
    async send(caller: Caller, { conversationId, content }: SendInput): Promise<{ userMessageId: string; assistantMessageId: string }> {
      const sent = await startAnswer(caller, conversationId, async (client) => {
        const { rows } = await client.query<{ id: string; createdAt: Date }>(
          `INSERT INTO "ChatMessage" (id, "conversationId", role, content, status) VALUES (gen_random_uuid(), $1, 'user', $2, 'complete')
           RETURNING id::text AS id, "createdAt"`,
          [conversationId, content],
        );
        // A conversation without a title is named after its first message.
        const title = content.replace(/\s+/g, " ").trim();
        await client.query(`UPDATE "Conversation" SET title = $2 WHERE id = $1 AND title IS NULL`, [
          conversationId,
          title.length > CHAT_AUTO_TITLE_LENGTH ? `${title.slice(0, CHAT_AUTO_TITLE_LENGTH - 1).trimEnd()}…` : title,
        ]);
        return { userMessageId: rows[0]!.id, through: rows[0]!.createdAt };
      });
      return { userMessageId: sent.userMessageId!, assistantMessageId: sent.assistantMessageId };
    },

    /**
     * A failed or cancelled answer, the conversation's last message, is answered again as a new
     * message after it (the failed one stays, with its partial text and error; it is left out of
     * the context, as every unfinished answer is).
     */
    async retry(caller: Caller, messageId: string): Promise<{ assistantMessageId: string }> {
      const failed = await ownedMessage(caller, messageId);
      if (failed.role !== "assistant" || !isAnswerRetryable(failed.status)) {
        throw new AppError("PRECONDITION_FAILED", "Only an answer that failed or was stopped can be retried.");
      }
      const { assistantMessageId } = await startAnswer(caller, failed.conversationId, async (client) => {
        const { rows } = await client.query<{ id: string; role: string; createdAt: Date }>(
          `SELECT id::text AS id, role::text AS role, "createdAt" FROM "ChatMessage" WHERE "conversationId" = $1 ORDER BY "createdAt" DESC, id DESC LIMIT 2`,
          [failed.conversationId],
        );
        if (rows[0]?.id !== messageId) throw new AppError("PRECONDITION_FAILED", "Only the conversation's last answer can be retried.");
        return { userMessageId: null, through: failed.createdAt };
      });
      return { assistantMessageId };
    },

    /** Stops an answer being written: it ends `cancelled` with the text streamed so far. */
    async cancel(caller: Caller, messageId: string): Promise<ChatMessageView> {
      const row = await ownedMessage(caller, messageId);
      if (row.role !== "assistant" || row.status !== "streaming") throw new AppError("PRECONDITION_FAILED", "This answer is not being written: there is nothing to stop.");
      const cancelled = await generations.finish(messageId, { status: "cancelled" });
      if (!cancelled) throw new AppError("PRECONDITION_FAILED", "This answer finished before it could be stopped.");
      // The instance writing it (any) aborts the model's request.
      generations.abort(messageId);
      void bus.publish(CANCEL_CHANNEL, messageId).catch(() => undefined);
      return cancelled;
    },

    /**
     * An answer as a live stream. Without `lastEventId`: the answer so far first (one delta with
     * the text so far; a finished answer's `done` alone, or its text then its `error`), then the
     * rest as it is written. With it: only the events after it. Ends after `done` or `error`.
     */
    async stream(caller: Caller, input: StreamInput): Promise<EventStream<ChatStreamEvent>> {
      const row = await ownedMessage(caller, input.messageId);
      if (row.role !== "assistant") throw new AppError("BAD_REQUEST", "Only Claude's answers can be streamed.");
      const replayOnly = row.status !== "streaming";
      if (input.lastEventId) return eventStream({ source: source(input.messageId), after: BigInt(input.lastEventId), endsAfter: ends, replayOnly });

      const through = await newestEventId(pool, input.messageId, "delta");
      const finishedDone = row.status === "complete" || row.status === "cancelled";
      let soFar = "";
      const view = (stored: StoredEvent<ChatStreamEvent>): ChatStreamEvent | undefined => {
        if (stored.event.type !== "delta" || stored.id > through) return stored.event;
        soFar += stored.event.text;
        return stored.id === through && !finishedDone ? { type: "delta", text: soFar } : undefined;
      };
      return eventStream({ source: source(input.messageId), after: 0n, view, endsAfter: ends, replayOnly });
    },

    status(): ChatStatus {
      const breaker = (model as Observable | null)?.state?.().breaker ?? null;
      return { configured: Boolean(model), model: model ? settings.model : null, breaker, messagesPerMinute: settings.messagesPerMinute };
    },

    /** Token usage of a user's answers (all time, or since a time); every user's when userId is null. */
    usage: (userId: string | null, since?: Date) => chatUsage(pool, userId, since),

    /** The analytics summary's figures: messages and tokens since a time. */
    usageFigures: async ({ userId, since }: UsageScope) => usageSection(await chatUsage(pool, userId, since)),

    /** Anthropic's reachability, when a key is configured (without one there is nothing to reach). */
    checks: (): Record<string, CheckProvider> => (settings.apiKey ? { anthropic: anthropicReachability({ apiKey: settings.apiKey, baseUrl: settings.baseUrl }) } : {}),

    start: () => generations.start(),
    stop: () => generations.stop(),
  };
}

export type ChatService = ReturnType<typeof createChatService>;
