/** One tRPC call over HTTP as the load-test account (fixtures: a session to load; a conversation). */
import { LOAD_TEST_HEADER } from "@/shared/load-tests";
import type { RunnerSettings } from "./protocol.js";

export async function trpcCall<T>(settings: RunnerSettings, type: "query" | "mutation", path: string, input?: unknown): Promise<T> {
  const headers = { authorization: `Bearer ${settings.token}`, [LOAD_TEST_HEADER]: settings.secret, "content-type": "application/json" };
  const url = new URL(`/api/trpc/${path}`, settings.target);
  if (type === "query" && input !== undefined) url.searchParams.set("input", JSON.stringify({ json: input }));
  const response = await fetch(url, type === "query" ? { headers } : { method: "POST", headers, body: JSON.stringify({ json: input ?? null }) });
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!response.ok || !body.result) throw new Error(`${path}: ${body.error?.json.message ?? `HTTP ${response.status}`}`);
  return body.result.data.json;
}
