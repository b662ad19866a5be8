/** `analytics.requests`: the request log (RequestLog, 24 hours), filtered, newest first, by id. */
import type { App } from "@/server/app";
import type { RequestEntry, RequestsResult } from "@/shared/analytics";
import type { RequestsInput } from "./schemas.js";

interface Row extends Omit<RequestEntry, "transport"> {
  transport: string;
}

const STATUS_CLASS_RANGE = { "2xx": [200, 299], "3xx": [300, 399], "4xx": [400, 499], "5xx": [500, 599] } as const;

/** `userId` here is the filter to apply (a user's own id is forced on by the service). */
export async function requests(app: App, input: RequestsInput, now = new Date()): Promise<RequestsResult> {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (input.method) where.push(`method = ${param(input.method)}`);
  if (input.path) where.push(`strpos(lower(path), lower(${param(input.path)})) > 0`);
  if (input.status !== undefined) where.push(`status = ${param(input.status)}`);
  if (input.statusClass) {
    const [low, high] = STATUS_CLASS_RANGE[input.statusClass];
    where.push(`status BETWEEN ${param(low)} AND ${param(high)}`);
  }
  if (input.minDurationMs !== undefined) where.push(`"durationMs" >= ${param(input.minDurationMs)}`);
  if (input.userId) where.push(`"userId" = ${param(input.userId)}::uuid`);
  if (input.transport) where.push(`transport = ${param(input.transport)}`);
  if (input.windowS) where.push(`at >= ${param(new Date(now.getTime() - input.windowS * 1000))}`);
  if (input.cursor) where.push(`id < ${param(input.cursor)}::bigint`);
  const { rows } = await app.pool.query<Row>(
    `SELECT id::text AS id, at, "requestId", instance, transport, method, path, route, status, code, "durationMs", "userId"
     FROM "RequestLog" ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${param(input.limit + 1)}`,
    params,
  );
  const items = rows.slice(0, input.limit).map((row) => ({ ...row, transport: row.transport === "ws" ? ("ws" as const) : ("http" as const) }));
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1]!.id : null };
}
