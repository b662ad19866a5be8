import { parse as parseSync } from "csv-parse/sync";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAT_USAGE_HEADER, EXPORT_PAGE_ROWS, exportRows } from "@/server/features/files/exports";
import { csvStream } from "@/server/features/files/render/csv";
import { migratedDatabase, readAll } from "./support/file-storage";

const JOBS = 2 * EXPORT_PAGE_ROWS + 345;

async function collect(rows: AsyncIterable<string[]>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const row of rows) out.push(row);
  return out;
}

async function createUser(pool: pg.Pool, name: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'x', now()) RETURNING id`,
    [`${name.toLowerCase()}-${Date.now()}@example.com`, name],
  );
  return rows[0]!.id;
}

describe("CSV exports of the caller's data", () => {
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  let me: string;
  let other: string;

  beforeAll(async () => {
    db = await migratedDatabase();
    me = await createUser(db.pool, "Me");
    other = await createUser(db.pool, "Other");
    // Many jobs, several sharing one instant, so the cursor's id tie-breaker is needed across page ends.
    await db.pool.query(
      `INSERT INTO "Job" (id, "ownerId", type, status, seq, "createdAt", message)
       SELECT gen_random_uuid(), $1, 'csv', 'succeeded', g, timestamptz '2026-01-01T00:00:00Z' + (g / 7) * interval '1 second', 'job ' || g
       FROM generate_series(1, $2::int) g`,
      [me, JOBS],
    );
    await db.pool.query(
      `INSERT INTO "Job" (id, "ownerId", type, status, priority, seq, progress, attempts, "lastError", "createdAt", "startedAt", "finishedAt", message)
       VALUES ('00000000-0000-4000-8000-000000000001', $1, 'pdf', 'failed', 'high', 0, 40, 3, 'boom, "quoted"', '2027-05-06T07:08:09.123Z', '2027-05-06T07:08:10Z', NULL, '=cmd')`,
      [me],
    );
    await db.pool.query(`INSERT INTO "Job" (id, "ownerId", type, seq) VALUES (gen_random_uuid(), $1, 'csv', 1)`, [other]);
    await db.pool.query(
      `INSERT INTO "File" (id, "ownerId", kind, name, "contentType", size, sha256, status, storage, "storageKey", "createdAt", "readyAt")
       VALUES ('00000000-0000-4000-8000-0000000000f1', $1, 'pdf', 'Report, final.pdf', 'application/pdf', 9007199254740993, 'ab', 'ready', 'disk', 'k1', '2026-02-01T00:00:00Z', '2026-02-01T00:00:05Z'),
              (gen_random_uuid(), $1, 'csv', 'older.csv', 'text/csv', 10, NULL, 'pending', 'disk', 'k2', '2026-01-01T00:00:00Z', NULL),
              (gen_random_uuid(), $2, 'csv', 'theirs.csv', 'text/csv', 10, NULL, 'pending', 'disk', 'k3', '2026-01-01T00:00:00Z', NULL)`,
      [me, other],
    );
    const session = (
      await db.pool.query<{ id: string }>(
        `INSERT INTO "LiveSession" (id, kind, title, "hostId", capacity, status, "startedAt") VALUES (gen_random_uuid(), 'breathing', 'Box breathing', $1, 10, 'live', '2026-03-01T10:00:00Z') RETURNING id`,
        [other],
      )
    ).rows[0]!.id;
    await db.pool.query(
      `INSERT INTO "SessionParticipant" (id, "sessionId", "userId", name, role, "joinedAt", "leftAt") VALUES
       (gen_random_uuid(), $1, $2, 'Other', 'host', '2026-03-01T09:59:00Z', NULL),
       (gen_random_uuid(), $1, $3, 'Me', 'participant', '2026-03-01T10:01:00Z', '2026-03-01T10:30:00Z')`,
      [session, other, me],
    );
    await db.pool.query(
      `INSERT INTO "SessionEvent" ("sessionId", type, "userId") VALUES ($1, 'message', $2), ($1, 'message', $2), ($1, 'joined', $2), ($1, 'message', $3)`,
      [session, me, other],
    );
  });
  afterAll(() => db?.close());

  it("exports all my jobs across pages, newest first, none twice, none of another user's", async () => {
    const { header, rows } = exportRows(db.pool, me, "jobs");
    expect(header).toEqual(["id", "type", "status", "priority", "progress", "message", "attempts", "maxAttempts", "lastError", "fileId", "createdAt", "startedAt", "finishedAt"]);
    const all = await collect(rows);
    expect(all).toHaveLength(JOBS + 1);
    expect(new Set(all.map((row) => row[0])).size).toBe(JOBS + 1);
    const created = all.map((row) => row[10]!);
    expect([...created].sort().reverse()).toEqual(created);
    expect(all[0]).toEqual(["00000000-0000-4000-8000-000000000001", "pdf", "failed", "high", "40", "=cmd", "3", "3", 'boom, "quoted"', "", "2027-05-06T07:08:09.123Z", "2027-05-06T07:08:10.000Z", ""]);
  });

  it("exports my files, the bigint size exact", async () => {
    const { header, rows } = exportRows(db.pool, me, "files");
    expect(header).toEqual(["id", "kind", "name", "contentType", "size", "sha256", "status", "jobId", "createdAt", "readyAt"]);
    const all = await collect(rows);
    expect(all.map((row) => row[2])).toEqual(["Report, final.pdf", "older.csv"]);
    expect(all[0]).toEqual(["00000000-0000-4000-8000-0000000000f1", "pdf", "Report, final.pdf", "application/pdf", "9007199254740993", "ab", "ready", "", "2026-02-01T00:00:00.000Z", "2026-02-01T00:00:05.000Z"]);
  });

  it("exports the sessions I took part in, with my own message count", async () => {
    const { header, rows } = exportRows(db.pool, me, "sessionHistory");
    expect(header).toEqual(["sessionId", "kind", "title", "role", "status", "joinedAt", "leftAt", "sessionStartedAt", "sessionEndedAt", "messages"]);
    const all = await collect(rows);
    expect(all).toHaveLength(1);
    expect(all[0]?.slice(1)).toEqual(["breathing", "Box breathing", "participant", "live", "2026-03-01T10:01:00.000Z", "2026-03-01T10:30:00.000Z", "2026-03-01T10:00:00.000Z", "", "2"]);
    const theirs = await collect(exportRows(db.pool, other, "sessionHistory").rows);
    expect(theirs[0]?.[3]).toBe("host");
    expect(theirs[0]?.[9]).toBe("1");
  });

  it("exports my chat usage per conversation and month, newest month first, none of another user's", async () => {
    const { header, rows } = exportRows(db.pool, me, "chatUsage");
    expect(header).toEqual(CHAT_USAGE_HEADER);
    expect(await collect(rows)).toEqual([]);

    const conversation = async (owner: string, id: string, title: string | null) =>
      db.pool.query(`INSERT INTO "Conversation" (id, "ownerId", title) VALUES ($1, $2, $3)`, [id, owner, title]);
    await conversation(me, "00000000-0000-4000-8000-0000000000c1", "Trip, \"Rome\"");
    await conversation(me, "00000000-0000-4000-8000-0000000000c2", null);
    await conversation(other, "00000000-0000-4000-8000-0000000000c3", "Theirs");
    await db.pool.query(
      `INSERT INTO "ChatMessage" (id, "conversationId", role, content, status, "inputTokens", "outputTokens", "createdAt") VALUES
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c1', 'user', 'hi', 'complete', NULL, NULL, '2026-10-31T23:59:00Z'),
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c1', 'assistant', 'hello', 'complete', 100, 20, '2026-10-31T23:59:01Z'),
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c1', 'user', 'more', 'complete', NULL, NULL, '2026-11-02T10:00:00Z'),
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c1', 'assistant', 'par', 'cancelled', 300, 7, '2026-11-02T10:00:01Z'),
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c2', 'user', 'x', 'complete', NULL, NULL, '2026-11-05T10:00:00Z'),
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c2', 'assistant', '', 'error', NULL, NULL, '2026-11-05T10:00:01Z'),
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000000c3', 'assistant', 'theirs', 'complete', 999, 999, '2026-11-05T10:00:01Z')`,
    );
    expect(await collect(exportRows(db.pool, me, "chatUsage").rows)).toEqual([
      ["00000000-0000-4000-8000-0000000000c1", 'Trip, "Rome"', "2026-11", "2", "300", "7"],
      ["00000000-0000-4000-8000-0000000000c2", "", "2026-11", "2", "0", "0"],
      ["00000000-0000-4000-8000-0000000000c1", 'Trip, "Rome"', "2026-10", "2", "100", "20"],
    ]);
  });

  it("goes through the CSV stream and parses back, formula cells neutralised", async () => {
    const { header, rows } = exportRows(db.pool, me, "jobs");
    const parsed: string[][] = parseSync((await readAll(csvStream(header, rows))).toString("utf8"));
    expect(parsed).toHaveLength(JOBS + 2);
    expect(parsed[0]).toEqual(header);
    expect(parsed[1]?.[5]).toBe("'=cmd");
    expect(parsed[1]?.[8]).toBe('boom, "quoted"');
  });
});
