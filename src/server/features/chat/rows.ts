/**
 * The chat tables in plain SQL: messages as the API shows them, and the one way an answer's
 * stream is written.
 *
 * An answer's events are written only while its message row is `streaming`, each statement
 * holding that row's lock until it commits: the generator's deltas, and the one transaction that
 * ends the answer (complete, error, cancelled — whoever does it: the generator, `chat.cancel` on
 * any instance, shutdown, the sweep) and writes its last event. So an answer's event ids commit in
 * order, nothing follows its `done`/`error`, and a delta racing a cancel is either before it or
 * not written at all (see bus/stream.ts for the contract).
 */
import type pg from "pg";
import { MAX_EVENT_ID } from "@/shared/input";
import type { ChatErrorCode, ChatMessageStatus, ChatMessageView, ChatStreamEvent } from "@/shared/chat";

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** The bus channel on which an answer's new event ids are announced. */
export const streamChannel = (messageId: string) => `chat:${messageId}`;
/** The bus channel on which cancellations reach the instance generating the answer (payload: the message id). */
export const CANCEL_CHANNEL = "chat:cancel";

/** A streaming answer's text so far is its deltas; a finished one's is its `content`. */
const DELTAS_TEXT = (m: string) => `(SELECT coalesce(string_agg(e.text, '' ORDER BY e.id), '') FROM "ChatEvent" e WHERE e."messageId" = ${m}.id AND e.type = 'delta')`;

export const messageColumns = (m: string) => `${m}.id::text AS id, ${m}.role::text AS role,
  CASE WHEN ${m}.status = 'streaming' THEN ${DELTAS_TEXT(m)} ELSE ${m}.content END AS content,
  ${m}.status::text AS status, ${m}."inputTokens", ${m}."outputTokens", ${m}.model, ${m}."stopReason", ${m}."errorCode",
  ${m}."errorMessage", ${m}."firstTokenMs", ${m}."totalMs", ${m}."createdAt"`;

/** The message columns without the streaming text (for a row known to be finished). */
const FINISHED_COLUMNS = (m: string) => messageColumns(m).replace(/CASE WHEN[\s\S]*?END AS content/, `${m}.content`);

export async function messagesOf(q: Queryable, conversationId: string): Promise<ChatMessageView[]> {
  const { rows } = await q.query<ChatMessageView>(
    `SELECT ${messageColumns("m")} FROM "ChatMessage" m WHERE m."conversationId" = $1 ORDER BY m."createdAt", m.id`,
    [conversationId],
  );
  return rows;
}

/** A message with its conversation's owner, or null. */
export async function messageWithOwner(q: Queryable, messageId: string) {
  const { rows } = await q.query<ChatMessageView & { ownerId: string; conversationId: string }>(
    `SELECT ${messageColumns("m")}, c."ownerId"::text AS "ownerId", c.id::text AS "conversationId"
     FROM "ChatMessage" m JOIN "Conversation" c ON c.id = m."conversationId" WHERE m.id = $1`,
    [messageId],
  );
  return rows[0] ?? null;
}

/** The context for an answer: the complete messages up to `through` (newest first fills the budget), oldest first. */
export async function contextMessages(q: Queryable, conversationId: string, through: Date, budgetChars: number) {
  const { rows } = await q.query<{ role: "user" | "assistant"; content: string }>(
    `SELECT role, content FROM (
       SELECT m.role::text AS role, m.content, m."createdAt", m.id,
              row_number() OVER w AS n, sum(length(m.content)) OVER w AS running
       FROM "ChatMessage" m
       WHERE m."conversationId" = $1 AND m.status = 'complete' AND m."createdAt" <= $2
       WINDOW w AS (ORDER BY m."createdAt" DESC, m.id DESC)) x
     WHERE n = 1 OR running <= $3
     ORDER BY "createdAt", id`,
    [conversationId, through, budgetChars],
  );
  return rows;
}

/** What the first write of an answer records beside its text: when the first text came, and the model's start. */
export interface FirstDelta {
  firstTokenMs: number;
  model: string | null;
  inputTokens: number | null;
}

/** Appends a delta to a streaming answer; null when the answer is no longer streaming (cancelled, deleted). */
export async function appendDelta(q: Queryable, messageId: string, text: string, first?: FirstDelta): Promise<bigint | null> {
  const { rows } = first
    ? await q.query<{ id: string }>(
        `WITH m AS (UPDATE "ChatMessage" SET "firstTokenMs" = $3, model = coalesce($4, model), "inputTokens" = coalesce($5, "inputTokens")
                    WHERE id = $1 AND status = 'streaming' RETURNING id)
         INSERT INTO "ChatEvent" ("messageId", type, text) SELECT id, 'delta', $2 FROM m RETURNING id::text AS id`,
        [messageId, text, first.firstTokenMs, first.model, first.inputTokens],
      )
    : await q.query<{ id: string }>(
        `WITH m AS (SELECT id FROM "ChatMessage" WHERE id = $1 AND status = 'streaming' FOR NO KEY UPDATE)
         INSERT INTO "ChatEvent" ("messageId", type, text) SELECT id, 'delta', $2 FROM m RETURNING id::text AS id`,
        [messageId, text],
      );
  return rows[0] ? BigInt(rows[0].id) : null;
}

/** How an answer ends. Absent numbers keep what the row has (or, for the time, are measured from its creation). */
export interface Outcome {
  status: Exclude<ChatMessageStatus, "streaming">;
  /** Text not yet written as a delta: written first, in the same transaction. */
  remaining?: string;
  stopReason?: string | null;
  model?: string | null;
  inputTokens?: number | null;
  outputTokens?: number | null;
  firstTokenMs?: number | null;
  totalMs?: number | null;
  error?: { code: ChatErrorCode; message: string; retryAfterS?: number };
}

/**
 * Ends a streaming answer in one transaction: its remaining text, the row (content = every delta),
 * and its last event. Returns the new event ids and the finished message, or null when it was no
 * longer streaming (someone else ended it first).
 */
export async function finishAnswer(pool: pg.Pool, messageId: string, outcome: Outcome): Promise<{ eventIds: bigint[]; message: ChatMessageView } | null> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const locked = await client.query(`SELECT id FROM "ChatMessage" WHERE id = $1 AND status = 'streaming' FOR NO KEY UPDATE`, [messageId]);
    if (!locked.rowCount) {
      await client.query("ROLLBACK");
      return null;
    }
    const eventIds: bigint[] = [];
    if (outcome.remaining) {
      const { rows } = await client.query<{ id: string }>(`INSERT INTO "ChatEvent" ("messageId", type, text) VALUES ($1, 'delta', $2) RETURNING id::text AS id`, [messageId, outcome.remaining]);
      eventIds.push(BigInt(rows[0]!.id));
    }
    const { rows } = await client.query<ChatMessageView>(
      `UPDATE "ChatMessage" m SET status = $2::"ChatMessageStatus", content = ${DELTAS_TEXT("m")}, "completedAt" = now(),
         "totalMs" = coalesce($3, round(extract(epoch FROM now() - m."createdAt") * 1000)::int),
         "stopReason" = $4, model = coalesce($5, m.model), "inputTokens" = coalesce($6, m."inputTokens"),
         "outputTokens" = coalesce($7, m."outputTokens"), "firstTokenMs" = coalesce(m."firstTokenMs", $8),
         "errorCode" = $9, "errorMessage" = $10, "generatedBy" = NULL, "heartbeatAt" = NULL
       WHERE m.id = $1 RETURNING ${FINISHED_COLUMNS("m")}`,
      [
        messageId,
        outcome.status,
        outcome.totalMs ?? null,
        outcome.stopReason ?? null,
        outcome.model ?? null,
        outcome.inputTokens ?? null,
        outcome.outputTokens ?? null,
        outcome.firstTokenMs ?? null,
        outcome.error?.code ?? null,
        outcome.error?.message ?? null,
      ],
    );
    const last = outcome.error
      ? await client.query<{ id: string }>(`INSERT INTO "ChatEvent" ("messageId", type, payload) VALUES ($1, 'error', $2::jsonb) RETURNING id::text AS id`, [messageId, JSON.stringify(outcome.error)])
      : await client.query<{ id: string }>(`INSERT INTO "ChatEvent" ("messageId", type) VALUES ($1, 'done') RETURNING id::text AS id`, [messageId]);
    eventIds.push(BigInt(last.rows[0]!.id));
    await client.query("COMMIT");
    return { eventIds, message: rows[0]! };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

interface EventRow {
  id: string;
  type: "delta" | "done" | "error";
  text: string;
  payload: { code?: ChatErrorCode; message?: string; retryAfterS?: number };
}

/** An answer's events after `afterId`, oldest first; a `done` carries the finished message. */
export async function eventsAfter(q: Queryable, messageId: string, afterId: bigint, limit: number): Promise<{ id: bigint; event: ChatStreamEvent }[]> {
  const { rows } = await q.query<EventRow>(
    `SELECT e.id::text AS id, e.type::text AS type, e.text, e.payload FROM "ChatEvent" e WHERE e."messageId" = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`,
    [messageId, afterId.toString(), limit],
  );
  if (!rows.length) {
    // Deleted (with its events) while followed: one last event, numbered after any other, ends the stream.
    const exists = await q.query(`SELECT 1 FROM "ChatMessage" WHERE id = $1`, [messageId]);
    if (!exists.rowCount) return [{ id: MAX_EVENT_ID, event: { type: "error", code: "DELETED", message: "This conversation was deleted." } }];
    return [];
  }
  let done: ChatMessageView | undefined;
  if (rows.some((row) => row.type === "done")) {
    done = (await q.query<ChatMessageView>(`SELECT ${FINISHED_COLUMNS("m")} FROM "ChatMessage" m WHERE m.id = $1`, [messageId])).rows[0];
  }
  return rows.flatMap((row): { id: bigint; event: ChatStreamEvent }[] => {
    const id = BigInt(row.id);
    if (row.type === "delta") return [{ id, event: { type: "delta", text: row.text } }];
    if (row.type === "error") {
      const { code = "INTERNAL", message = "The answer failed.", retryAfterS } = row.payload;
      return [{ id, event: { type: "error", code, message, ...(retryAfterS !== undefined ? { retryAfterS } : {}) } }];
    }
    // The message went between the two reads (its conversation was deleted): still an end.
    return [{ id, event: done ? { type: "done", message: done } : { type: "error", code: "DELETED", message: "This conversation was deleted." } }];
  });
}

export async function newestEventId(q: Queryable, messageId: string, type?: "delta"): Promise<bigint> {
  const { rows } = await q.query<{ id: string | null }>(
    `SELECT max(id)::text AS id FROM "ChatEvent" WHERE "messageId" = $1${type ? ` AND type = 'delta'` : ""}`,
    [messageId],
  );
  return BigInt(rows[0]?.id ?? 0);
}
