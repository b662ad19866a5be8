/**
 * The caller's own data as CSV rows (`files.create({ kind: "csv", export })`): read with plain
 * SQL in keyset-paginated pages, so an export of 100,000 rows holds one page at a time and each
 * page is an index range scan, whatever its depth (no OFFSET).
 */
import type pg from "pg";
import type { ExportKind } from "@/shared/files";

export { EXPORT_KINDS, type ExportKind } from "@/shared/files";

export const EXPORT_PAGE_ROWS = 1_000;

export interface ExportRows {
  header: string[];
  rows: AsyncIterable<string[]>;
}

/** Where the last page ended: its last row's time and id (the tie-breaker). */
interface Cursor {
  at: Date;
  id: string;
}

interface Spec<Row> {
  header: string[];
  /** SELECT … FROM … WHERE <owner> = $1: the page's keyset condition and order are added to it. */
  select: string;
  /** The time and id columns of the keyset: rows come newest first, ties by id. */
  at: string;
  id: string;
  cells(row: Row): string[];
  cursor(row: Row): Cursor;
}

/**
 * The next page after the cursor ($2 time, $3 id) in "time DESC, id ASC" order. The redundant
 * `time <= $2` is the part an index can start its scan at; without it PostgreSQL filters every row
 * before the cursor again on each page, and an export grows quadratically.
 */
function pageSql(spec: Spec<never>, afterCursor: boolean): string {
  const keyset = afterCursor ? ` AND ${spec.at} <= $2 AND (${spec.at} < $2 OR ${spec.id} > $3::uuid)` : "";
  return `${spec.select}${keyset} ORDER BY ${spec.at} DESC, ${spec.id} ASC LIMIT ${EXPORT_PAGE_ROWS}`;
}

/** ISO 8601 in UTC; an absent time is an empty cell. */
const iso = (value: Date | null) => (value ? value.toISOString() : "");
const str = (value: string | number | bigint | null) => (value === null ? "" : String(value));

// Jobs and files come newest first, the order of their ("ownerId", "createdAt" DESC, "id") indexes.

interface JobRow {
  id: string; type: string; status: string; priority: string; progress: number; message: string; attempts: number;
  maxAttempts: number; lastError: string | null; fileId: string | null; createdAt: Date; startedAt: Date | null; finishedAt: Date | null;
}

const jobs: Spec<JobRow> = {
  header: ["id", "type", "status", "priority", "progress", "message", "attempts", "maxAttempts", "lastError", "fileId", "createdAt", "startedAt", "finishedAt"],
  select: `SELECT id, type, status::text, priority::text, progress, message, attempts, "maxAttempts", "lastError", "fileId", "createdAt", "startedAt", "finishedAt"
        FROM "Job" WHERE "ownerId" = $1`,
  at: `"createdAt"`,
  id: "id",
  cells: (r) => [r.id, r.type, r.status, r.priority, str(r.progress), r.message, str(r.attempts), str(r.maxAttempts), str(r.lastError), str(r.fileId), iso(r.createdAt), iso(r.startedAt), iso(r.finishedAt)],
  cursor: (r) => ({ at: r.createdAt, id: r.id }),
};

interface FileRow {
  id: string; kind: string; name: string; contentType: string; size: string; sha256: string | null; status: string;
  jobId: string | null; createdAt: Date; readyAt: Date | null;
}

const files: Spec<FileRow> = {
  header: ["id", "kind", "name", "contentType", "size", "sha256", "status", "jobId", "createdAt", "readyAt"],
  // size is a bigint: read as text, never through a JS number.
  select: `SELECT id, kind::text, name, "contentType", size::text AS size, sha256, status::text, "jobId", "createdAt", "readyAt"
        FROM "File" WHERE "ownerId" = $1`,
  at: `"createdAt"`,
  id: "id",
  cells: (r) => [r.id, r.kind, r.name, r.contentType, r.size, str(r.sha256), r.status, str(r.jobId), iso(r.createdAt), iso(r.readyAt)],
  cursor: (r) => ({ at: r.createdAt, id: r.id }),
};

interface SessionRow {
  id: string; sessionId: string; kind: string; title: string; role: string; status: string; joinedAt: Date; leftAt: Date | null;
  startedAt: Date | null; endedAt: Date | null; messages: string;
}

/**
 * Session history = the sessions the user took part in (hosted or joined), one row per seat,
 * with how many chat messages they wrote there — not every event they authored: presence and
 * timer events are noise in a spreadsheet, and the room's full log is `sessions.history`.
 */
const sessionHistory: Spec<SessionRow> = {
  header: ["sessionId", "kind", "title", "role", "status", "joinedAt", "leftAt", "sessionStartedAt", "sessionEndedAt", "messages"],
  select: `SELECT p.id, p."sessionId", s.kind::text, s.title, p.role::text, s.status::text, p."joinedAt", p."leftAt", s."startedAt", s."endedAt",
               (SELECT count(*) FROM "SessionEvent" e WHERE e."sessionId" = p."sessionId" AND e.type = 'message' AND e."userId" = p."userId")::text AS messages
        FROM "SessionParticipant" p JOIN "LiveSession" s ON s.id = p."sessionId"
        WHERE p."userId" = $1`,
  at: `p."joinedAt"`,
  id: "p.id",
  cells: (r) => [r.sessionId, r.kind, r.title, r.role, r.status, iso(r.joinedAt), iso(r.leftAt), iso(r.startedAt), iso(r.endedAt), r.messages],
  cursor: (r) => ({ at: r.joinedAt, id: r.id }),
};

export const CHAT_USAGE_HEADER = ["conversationId", "conversation", "month", "messages", "inputTokens", "outputTokens"];

interface ChatUsageRow {
  id: string; title: string | null; month: Date; messages: string; inputTokens: string; outputTokens: string;
}

/**
 * Chat usage = one row per conversation and calendar month (UTC) in which it had messages: how
 * many messages (mine and Claude's) and the tokens Claude's answers used — every answer that got
 * as far as the model, failed and stopped ones included, since those tokens were spent too.
 * Newest month first. The grouping is a derived table, so the keyset applies to its rows.
 */
const chatUsage: Spec<ChatUsageRow> = {
  header: CHAT_USAGE_HEADER,
  select: `SELECT u.* FROM (
          SELECT c.id, c.title, date_trunc('month', m."createdAt", 'UTC') AS month, count(*)::text AS messages,
                 coalesce(sum(m."inputTokens"), 0)::text AS "inputTokens", coalesce(sum(m."outputTokens"), 0)::text AS "outputTokens"
          FROM "Conversation" c JOIN "ChatMessage" m ON m."conversationId" = c.id
          WHERE c."ownerId" = $1
          GROUP BY c.id, c.title, 3) u
        WHERE true`,
  at: "u.month",
  id: "u.id",
  cells: (r) => [r.id, str(r.title), r.month.toISOString().slice(0, 7), r.messages, r.inputTokens, r.outputTokens],
  cursor: (r) => ({ at: r.month, id: r.id }),
};

async function* pages<Row extends pg.QueryResultRow>(pool: pg.Pool, ownerId: string, spec: Spec<Row>): AsyncGenerator<string[]> {
  let cursor: Cursor | null = null;
  for (;;) {
    const { rows }: pg.QueryResult<Row> = cursor
      ? await pool.query<Row>(pageSql(spec, true), [ownerId, cursor.at, cursor.id])
      : await pool.query<Row>(pageSql(spec, false), [ownerId]);
    for (const row of rows) yield spec.cells(row);
    const last = rows.at(-1);
    if (!last || rows.length < EXPORT_PAGE_ROWS) return;
    cursor = spec.cursor(last);
  }
}

/** The header and the rows of one export of `ownerId`'s data; rows are read page by page as they are consumed. */
export function exportRows(pool: pg.Pool, ownerId: string, which: ExportKind): ExportRows {
  switch (which) {
    case "jobs":
      return { header: jobs.header, rows: pages(pool, ownerId, jobs) };
    case "files":
      return { header: files.header, rows: pages(pool, ownerId, files) };
    case "sessionHistory":
      return { header: sessionHistory.header, rows: pages(pool, ownerId, sessionHistory) };
    case "chatUsage":
      return { header: chatUsage.header, rows: pages(pool, ownerId, chatUsage) };
  }
}
