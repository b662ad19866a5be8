/**
 * An external load generator for bench/load-test.ts: autocannon in a process of its own, sending
 * exactly the requests of the in-app `http-read` scenario (the runner's own list), with the same
 * headers. Settings come as JSON in argv[2]; the result is one line of JSON on stdout.
 */
import autocannon from "autocannon";
import { readCalls } from "@/server/features/load-tests/runner/http";

const settings = JSON.parse(process.argv[2] ?? "{}") as { url: string; token: string; connections: number; durationS: number };

interface Result {
  requests: { total: number };
  latency: { p50: number; p95?: number; p97_5: number; p99: number; average: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const result = (await autocannon({
  url: settings.url,
  connections: settings.connections,
  duration: settings.durationS,
  timeout: 10,
  headers: { authorization: `Bearer ${settings.token}`, "content-type": "application/json" },
  requests: readCalls().map((call) => ({ method: call.method, path: call.path })),
})) as unknown as Result;

process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    elapsedS: result.duration,
    requestsPerS: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    errors: result.non2xx + result.errors + result.timeouts,
  }) + "\n",
);
