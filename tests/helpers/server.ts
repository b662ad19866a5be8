import { createPulseClient, type PulseClient } from "@/trpc/client";
import { loadConfig, type Config } from "@/server/config";
import { createLogger } from "@/server/log";
import { startPulse, type RunningPulse, type StartOptions } from "@/server/start";
import { createTestDatabase, type TestDatabase } from "./database";

export interface TestServer {
  pulse: RunningPulse;
  url: string;
  database: TestDatabase;
  /** A typed client; without a token it is anonymous. Closed by `stop()`. */
  client(token?: string): PulseClient;
  stop(): Promise<void>;
}

/** The real server (API only, no Next) on a free port, on a fresh database. */
export async function startTestServer(overrides: Partial<Config> = {}, database?: TestDatabase, options: StartOptions = {}): Promise<TestServer> {
  const db = database ?? (await createTestDatabase());
  const base = loadConfig({ NODE_ENV: "test" });
  const config = loadConfig(
    {
      NODE_ENV: "test",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: db.url,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
      // Every test calls from 127.0.0.1: limits high enough that no suite meets them (rate-limits.test.ts sets low ones).
      RATE_LIMIT_PER_MINUTE: "1000000",
      WS_CONNECTIONS_PER_USER: "10000",
      WS_CONNECTIONS_PER_IP: "10000",
      WS_MESSAGES_PER_10S: "1000000",
    },
    // Shedding off: a test machine's CPU stalls (two test files, PostgreSQL, Chromium on two cores) are not overload; shedding.test.ts turns it on.
    { signInAttemptsPerIp: 1_000, signInFailuresPerPair: 5, shutdownGraceMs: 2_000, shedding: { ...base.shedding, eventLoopMs: 0 }, ...overrides },
  );
  const pulse = await startPulse(config, createLogger(config.logLevel), options);
  const clients: PulseClient[] = [];
  return {
    pulse,
    url: pulse.url,
    database: db,
    client(token) {
      const client = createPulseClient({ url: pulse.url, token });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await pulse.stop();
      if (!database) await db.drop();
    },
  };
}

let counter = 0;
/** Signs up a new account through the API; returns its login token and user. */
export async function signUp(server: TestServer, name = "Test User") {
  const email = `user${Date.now()}${counter++}@example.com`;
  const result = await server.client().auth.signUp.mutate({ email, password: "correct horse battery", name });
  return { ...result, email, password: "correct horse battery" };
}
