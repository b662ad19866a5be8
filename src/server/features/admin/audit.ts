/** Reading the audit log: newest first, filtered by action (whole, or a prefix ending in a dot) and actor, paged by id. */
import type pg from "pg";
import { AUDIT_ACTION_LABELS, isActionPrefix, type AuditEntry } from "@/shared/system";

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export interface AuditQuery {
  action?: string;
  actorId?: string;
  /** The id of the last entry of the previous page. */
  cursor?: string;
  limit: number;
}

interface AuditRow {
  id: string;
  action: string;
  actorId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  target: string | null;
  targetId: string | null;
  targetName: string | null;
  targetEmail: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  createdAt: Date;
}

const UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/** `auth.` → `auth.%`, with LIKE's own characters taken literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function readAuditLog(q: Queryable, query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const action = query.action ?? null;
  const prefix = action !== null && isActionPrefix(action);
  const { rows } = await q.query<AuditRow>(
    `SELECT a.id::text AS id, a.action, a."actorId"::text AS "actorId", actor.name AS "actorName", actor.email AS "actorEmail",
            a.target, target.id::text AS "targetId", target.name AS "targetName", target.email AS "targetEmail",
            a.detail, a.ip, a."createdAt"
       FROM "AuditLog" a
       LEFT JOIN "User" actor ON actor.id = a."actorId"
       -- A target that is a user's id names that user (CASE: the cast runs only on a UUID).
       LEFT JOIN "User" target ON target.id = CASE WHEN a.target ~* '${UUID}' THEN a.target::uuid END
      WHERE ($1::text IS NULL OR a.action = $1)
        AND ($2::text IS NULL OR a.action LIKE $2)
        AND ($3::uuid IS NULL OR a."actorId" = $3)
        AND ($4::bigint IS NULL OR a.id < $4)
      ORDER BY a.id DESC
      LIMIT $5`,
    [prefix ? null : action, prefix ? likePrefix(action) : null, query.actorId ?? null, query.cursor ?? null, query.limit + 1],
  );
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const items = page.map(
    (row): AuditEntry => ({
      id: row.id,
      action: row.action,
      actor: row.actorId ? { id: row.actorId, name: row.actorName ?? "(deleted)", email: row.actorEmail ?? "" } : null,
      target: row.target,
      targetUser: row.targetId ? { id: row.targetId, name: row.targetName ?? "", email: row.targetEmail ?? "" } : null,
      detail: row.detail ?? {},
      ip: row.ip,
      createdAt: row.createdAt,
    }),
  );
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

/**
 * Every action the log holds, and those Pulse knows of, sorted: the filter's choices. The log's
 * distinct actions are read by skipping through the (action, id) index — one probe per action,
 * not a scan of every row.
 */
export async function auditActions(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ action: string }>(
    `WITH RECURSIVE found(action) AS (
       (SELECT action FROM "AuditLog" ORDER BY action LIMIT 1)
       UNION ALL
       SELECT (SELECT a.action FROM "AuditLog" a WHERE a.action > found.action ORDER BY a.action LIMIT 1) FROM found WHERE found.action IS NOT NULL
     )
     SELECT action FROM found WHERE action IS NOT NULL`,
  );
  return [...new Set([...Object.keys(AUDIT_ACTION_LABELS), ...rows.map((r) => r.action)])].sort();
}
