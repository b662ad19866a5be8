/**
 * For tests of stopping a server: a request kept in flight for as long as a test likes, with
 * nothing added to the server for it (a POST whose body is held back, `Expect: 100-continue`:
 * the server has the request and waits for its body, as for a slow upload), and the processes
 * a stop must not leave behind.
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import superjson from "superjson";

export interface HeldRequest {
  /** Resolves once the server has the request (it answered `100 Continue`). */
  accepted: Promise<void>;
  /** Sends the body; the response follows. */
  finish(): void;
  response: Promise<{ status: number; body: string; connection?: string }>;
  /** Drops the client's end of the connection. */
  destroy(): void;
}

/** Like a browser or a load balancer: connections are kept alive between requests. */
const keepAliveAgent = new http.Agent({ keepAlive: true });

/** A tRPC mutation (`url` ends in `/api/trpc/<path>`) whose input is sent only on `finish()`. */
export function holdRequest(url: string, input: unknown): HeldRequest {
  const body = JSON.stringify(superjson.serialize(input));
  const request = http.request(url, {
    agent: keepAliveAgent,
    method: "POST",
    headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body), Expect: "100-continue" },
  });
  const response = new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
    request.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body: text, connection: res.headers.connection }));
      res.on("error", reject);
    });
    request.on("error", reject);
  });
  response.catch(() => undefined); // observed by the test when it matters
  const accepted = new Promise<void>((resolve) => request.once("continue", () => resolve()));
  request.flushHeaders();
  return {
    accepted,
    response,
    finish: () => request.end(body),
    destroy: () => {
      request.destroy();
      request.socket?.destroy();
    },
  };
}

/** postgres processes whose command line names this data directory. */
export function postgresProcesses(dataDir: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return table.split("\n").filter((line) => /\bpostgres\b/.test(line) && line.includes(`-D ${dataDir}`));
}
