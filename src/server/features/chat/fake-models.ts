/** The Anthropic stand-in's `GET /v1/models` (fake-anthropic.ts): a fixed list, paged as the real API pages it. */

/** What the stand-in says it serves, newest first, as `GET /v1/models` lists them. */
const MODELS = [
  { type: "model", id: "claude-sonnet-5-5", display_name: "Claude Sonnet 5.5", created_at: "2026-09-01T00:00:00Z" },
  { type: "model", id: "claude-opus-4-1-20250805", display_name: "Claude Opus 4.1", created_at: "2025-08-05T00:00:00Z" },
  { type: "model", id: "claude-sonnet-4-5-20250929", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
  { type: "model", id: "claude-haiku-4-5-20251001", display_name: "Claude Haiku 4.5", created_at: "2025-10-01T00:00:00Z" },
] as const;

/** `GET /v1/models`: `limit` (1–1000, default 20) and `after_id`/`before_id` paging, in Anthropic's list shape. */
export function listModels(query: URLSearchParams): { data: (typeof MODELS)[number][]; has_more: boolean; first_id: string | null; last_id: string | null } | { error: string } {
  const limit = query.has("limit") ? Number(query.get("limit")) : 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return { error: "limit: Input should be between 1 and 1000" };
  let start = 0;
  let end: number = MODELS.length;
  const after = query.get("after_id");
  const before = query.get("before_id");
  if (after !== null) start = MODELS.findIndex((m) => m.id === after) + 1;
  if (before !== null) end = Math.max(0, MODELS.findIndex((m) => m.id === before));
  const window = MODELS.slice(start, end);
  const data = before !== null ? window.slice(-limit) : window.slice(0, limit);
  return { data, has_more: window.length > data.length, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}
