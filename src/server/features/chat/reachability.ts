/**
 * The `chat.anthropic` health check, present only when an API key is configured: can this
 * instance reach Anthropic's API with its key? A cheap authenticated GET of one model, cached for
 * 30 s so that health probes do not become API traffic. Unreachable is `degraded`, not
 * `unhealthy`: everything but the chat still works.
 */
import type { Check } from "@/server/metrics/checks";

const DEFAULT_BASE_URL = "https://api.anthropic.com";
const CACHE_MS = 30_000;
const TIMEOUT_MS = 3_000;

export function anthropicReachability(options: { apiKey: string; baseUrl?: string; now?: () => number }): () => Promise<Check> {
  const now = options.now ?? Date.now;
  const url = `${options.baseUrl ?? DEFAULT_BASE_URL}/v1/models?limit=1`;
  let cached: { at: number; check: Promise<Check> } | undefined;

  async function probe(): Promise<Check> {
    const started = performance.now();
    try {
      const response = await fetch(url, {
        headers: { "x-api-key": options.apiKey, "anthropic-version": "2023-06-01" },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.body?.cancel();
      const ms = Math.round(performance.now() - started);
      if (response.ok) return { status: "ok", detail: `reachable (${ms} ms)`, value: ms };
      if (response.status === 401 || response.status === 403) return { status: "degraded", detail: `reachable, but the API key was refused (${response.status})`, value: ms };
      return { status: "degraded", detail: `answered ${response.status}`, value: ms };
    } catch (error) {
      const why = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : "unreachable";
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      return { status: "degraded", detail: `${why}${cause}` };
    }
  }

  return () => {
    const at = now();
    if (!cached || at - cached.at >= CACHE_MS) cached = { at, check: probe() };
    return cached.check;
  };
}
