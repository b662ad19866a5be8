/**
 * The HTTP scenarios, driven by autocannon: `http-read` (tRPC queries) and `http-mixed` (a
 * weighted mix of queries and mutations as the load-test account). autocannon cycles through its
 * request list on each connection, so a weighted mix is a list holding each call as often as its
 * weight; every response is timed into the run's recorder.
 */
import autocannon from "autocannon";
import { LOAD_TEST_HEADER } from "@/shared/load-tests";
import type { RunnerSettings } from "./protocol.js";
import type { Recorder } from "./recorder.js";
import { trpcCall } from "./trpc-http.js";

interface Call {
  method: "GET" | "POST";
  path: string;
  body?: string;
}

const query = (path: string, input?: unknown): Call => ({
  method: "GET",
  path: `/api/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`}`,
});
const mutation = (path: string, input: unknown): Call => ({ method: "POST", path: `/api/trpc/${path}`, body: JSON.stringify({ json: input }) });

/** `http-read`: the two queries in turn. */
export function readCalls(): Call[] {
  return [query("health.ping"), query("sessions.list", { limit: 20 })];
}

/** `http-mixed`, per ten calls: 5 × sessions.list, 2 × health.ping, 1 × auth.me, 2 × sessions.sendMessage; interleaved. */
export function mixedCalls(sessionId: string): Call[] {
  const list = query("sessions.list", { limit: 20 });
  const ping = query("health.ping");
  const me = query("auth.me");
  const send = mutation("sessions.sendMessage", { sessionId, text: "Load test message" });
  return [list, ping, send, list, me, list, send, ping, list, list];
}

/** The load-test session that `http-mixed` writes to, made by the load-test account. */
export async function createLoadSession(settings: RunnerSettings, title: string): Promise<string> {
  const session = await trpcCall<{ id: string }>(settings, "mutation", "sessions.create", { kind: "collaboration", title, visibility: "private" });
  return session.id;
}

export function runHttp(settings: RunnerSettings, calls: Call[], recorder: Recorder, signal: AbortSignal): Promise<void> {
  const headers = { authorization: `Bearer ${settings.token}`, [LOAD_TEST_HEADER]: settings.secret, "content-type": "application/json" };
  const instance = autocannon({
    url: settings.target,
    connections: settings.connections,
    duration: settings.durationS,
    ...(settings.ratePerS ? { overallRate: settings.ratePerS } : {}),
    timeout: 10,
    headers,
    requests: calls.map((call) => ({ method: call.method, path: call.path, ...(call.body ? { body: call.body } : {}) })),
  });
  recorder.activeConnections = settings.connections;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    instance.stop();
  };
  instance.on("response", (_client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => {
    if (statusCode >= 400) recorder.failed(`HTTP ${statusCode}`, responseTimeMs);
    else recorder.ok(responseTimeMs, bytes);
    if (recorder.requests >= settings.maxRequests) stop();
  });
  instance.on("reqError", (error: Error & { code?: string }) => {
    recorder.failed(error.message === "request timed out" ? "timeout" : (error.code ?? error.message));
  });
  signal.addEventListener("abort", stop, { once: true });
  return new Promise((resolve) => {
    instance.on("done", () => {
      recorder.activeConnections = 0;
      signal.removeEventListener("abort", stop);
      resolve();
    });
  });
}
