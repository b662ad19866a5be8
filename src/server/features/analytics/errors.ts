/**
 * `analytics.errors`: for admins, the error groups the measurements keep (ErrorGroup, by
 * fingerprint, with a sample stack); for anyone else, their own failed requests from the request
 * log, grouped by route, code and status, without stacks (a stack can name other people's data).
 */
import { createHash } from "node:crypto";
import type { App } from "@/server/app";
import type { ErrorGroupView, ErrorsResult } from "@/shared/analytics";
import type { ErrorsInput } from "./schemas.js";

export async function errorGroups(app: App, input: ErrorsInput, now = new Date()): Promise<ErrorsResult> {
  const { rows } = await app.pool.query<Omit<ErrorGroupView, "kind"> & { kind: string }>(
    `SELECT fingerprint, kind, code, route, message, count, "firstSeen", "lastSeen", "lastRequestId", "sampleStack"
     FROM "ErrorGroup"
     WHERE "lastSeen" >= $1 AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR route = $3)
     ORDER BY count DESC, "lastSeen" DESC LIMIT $4`,
    [new Date(now.getTime() - input.windowS * 1000), input.kind ?? null, input.route ?? null, input.limit],
  );
  return { groups: rows.map((row) => ({ ...row, kind: row.kind === "server" ? "server" : "client", sampleStack: row.kind === "server" ? row.sampleStack : null })) };
}

export async function userErrorGroups(app: App, userId: string, input: ErrorsInput, now = new Date()): Promise<ErrorsResult> {
  const { rows } = await app.pool.query<{ route: string; code: string | null; status: number; count: number; firstSeen: Date; lastSeen: Date; lastRequestId: string }>(
    `SELECT route, code, status, count(*)::int AS count, min(at) AS "firstSeen", max(at) AS "lastSeen",
            (array_agg("requestId" ORDER BY at DESC, id DESC))[1] AS "lastRequestId"
     FROM "RequestLog"
     WHERE "userId" = $1 AND at >= $2 AND status >= 400
       AND ($3::text IS NULL OR ($3 = 'server' AND status >= 500) OR ($3 = 'client' AND status < 500))
       AND ($4::text IS NULL OR route = $4)
     GROUP BY route, code, status
     ORDER BY count DESC, max(at) DESC LIMIT $5`,
    [userId, new Date(now.getTime() - input.windowS * 1000), input.kind ?? null, input.route ?? null, input.limit],
  );
  return {
    groups: rows.map((row) => {
      const code = row.code ?? `HTTP_${row.status}`;
      return {
        fingerprint: createHash("sha1").update(`${userId}\n${row.route}\n${code}\n${row.status}`).digest("hex"),
        kind: row.status >= 500 ? "server" : "client",
        code,
        route: row.route,
        message: row.code ? `${row.code} (HTTP ${row.status})` : `HTTP ${row.status}`,
        count: row.count,
        firstSeen: row.firstSeen,
        lastSeen: row.lastSeen,
        lastRequestId: row.lastRequestId,
        sampleStack: null,
      };
    }),
  };
}
