import { z } from "zod";
import path from "node:path";

/** Reads an environment boolean the way people write them: 1/0, true/false, yes/no. */
const booleanFlag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .transform((v) => v === "1" || v === "true" || v === "yes");

/**
 * How many proxies in front of the server to trust for `X-Forwarded-For` / `-Proto`: a count, or
 * the boolean spellings of older configurations (true/yes → 1, false/no → 0).
 */
const proxyCount = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v) => (v === "true" || v === "yes" ? "1" : v === "false" || v === "no" || v === "" ? "0" : v))
  .pipe(z.string().regex(/^\d{1,2}$/, "must be a count of proxies (0, 1, 2 …) or true/false"))
  .transform(Number)
  .pipe(z.number().max(10, "more than 10 proxies: is that a count?"));

const commaList = z
  .string()
  .transform((v) => v.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  ADMIN_EMAILS: commaList.default([]),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SESSION_COOKIE_SECURE: booleanFlag.optional(),
  TRUST_PROXY: proxyCount.default(0),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  WS_PAUSE_BYTES: z.coerce.number().int().min(16 * 1024).default(256 * 1024),
  SLOW_CONSUMER_BYTES: z.coerce.number().int().min(64 * 1024).default(4 * 1024 * 1024),
  SIGN_IN_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(20),
  SIGN_IN_FAILURES_PER_PAIR: z.coerce.number().int().min(1).max(1_000).default(5),
  SIGN_IN_SLOWDOWN_AFTER: z.coerce.number().int().min(1).max(100_000).default(10),
  SIGN_IN_SLOWDOWN_MAX_S: z.coerce.number().int().min(1).max(3_600).default(60),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(100),
  RATE_LIMIT_STORE: z.enum(["auto", "memory", "postgres"]).default("auto"),
  WS_CONNECTIONS_PER_USER: z.coerce.number().int().min(0).max(100_000).default(20),
  WS_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).max(100_000).default(50),
  WS_MESSAGES_PER_10S: z.coerce.number().int().min(0).max(1_000_000).default(100),
  TRPC_MAX_BATCH: z.coerce.number().int().min(1).max(1_000).default(50),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // Below 3, each of two people can subtract their own report from the aggregate and read the other's.
  STRESS_MIN_REPORTS: z.coerce.number().int().min(3, "must be at least 3").max(1_000).default(3),
  JOB_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(4),
  JOB_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
  JOB_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  JOB_STALE_AFTER_MS: z.coerce.number().int().min(500).max(600_000).default(15_000),
  FILES_DRIVER: z.enum(["disk", "postgres"]).default("disk"),
  FILES_DIR: z.string().min(1).optional(),
  FILES_QUOTA_BYTES: z.coerce.number().int().min(1024).default(200 * 1024 * 1024),
  FILES_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  SCREENSHOT_ALLOW_HOSTS: commaList.default([]),
  SCREENSHOT_PAGES: z.coerce.number().int().min(1).max(16).default(2),
  CHROMIUM_PATH: z.string().min(1).optional(),
  PUPPETEER_EXECUTABLE_PATH: z.string().min(1).optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. https://pulse.example.com" }).optional(),
  RENDER_EXTERNAL_URL: z.string().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_MODEL: z.string().min(1).default("claude-sonnet-5-5"),
  ANTHROPIC_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. https://api.anthropic.com" }).optional(),
  CHAT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  CHAT_CONTEXT_TOKENS: z.coerce.number().int().min(1_000).max(1_000_000).default(50_000),
  CHAT_MAX_TOKENS: z.coerce.number().int().min(16).max(64_000).default(2_048),
  CHAT_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(60_000),
  CHAT_UPSTREAM_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  CHAT_UPSTREAM_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(500),
  CHAT_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(5),
  CHAT_BREAKER_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  ANALYTICS_MEASURE: booleanFlag.default(true),
  ANALYTICS_FLUSH_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  ANALYTICS_LOG_PER_S: z.coerce.number().int().min(0).max(100_000).default(200),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").max(1_000).optional(),
  APP_VERSION: z.string().optional(),
  RENDER_GIT_COMMIT: z.string().optional(),
  // Alerts (features/analytics/alerts.ts): when a rule crosses its line, and how long it must stay back under it to clear.
  ALERT_ERROR_RATE: z.coerce.number().gt(0).max(1).default(0.05),
  ALERT_P95_MS: z.coerce.number().gt(0).max(3_600_000).default(100),
  ALERT_HEAP_MB: z.coerce.number().gt(0).max(1_000_000).default(200),
  ALERT_EVENT_LOOP_MS: z.coerce.number().gt(0).max(3_600_000).default(200),
  ALERT_CLEAR_AFTER_S: z.coerce.number().min(0).max(3_600).default(10),
  ALERT_WINDOW_S: z.coerce.number().int().min(1).max(60).default(60),
  // Load shedding (http/shedding.ts): 0 turns a rule off.
  SHED_EVENT_LOOP_MS: z.coerce.number().min(0).max(60_000).default(1_000),
  SHED_HEAP_PERCENT: z.coerce.number().min(0).max(100).default(90),
  SHED_CLEAR_S: z.coerce.number().min(0).max(600).default(5),
});

export type Config = ReturnType<typeof toConfig>;

/** Several instances can only run on a shared DATABASE_URL, and then must share their counts; the embedded database means one. */
function rateLimitStore(setting: "auto" | "memory" | "postgres", databaseUrl: string | undefined): "memory" | "postgres" {
  if (setting !== "auto") return setting;
  return databaseUrl ? "postgres" : "memory";
}

function toConfig(env: z.infer<typeof environmentSchema>) {
  const production = env.NODE_ENV === "production";
  return {
    env: env.NODE_ENV,
    production,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DATA_DIR),
    databasePoolSize: env.DATABASE_POOL_SIZE,
    adminEmails: env.ADMIN_EMAILS,
    logLevel: env.LOG_LEVEL,
    secureCookies: env.SESSION_COOKIE_SECURE ?? production,
    /** Proxies in front of this server whose `X-Forwarded-*` entries are believed (0: none; Render: 1). */
    trustProxy: env.TRUST_PROXY,
    maxBodyBytes: env.MAX_BODY_BYTES,
    /** Past this many bytes queued on a subscriber's socket, the socket is closed; its client resumes from its last id. */
    wsPauseBytes: env.WS_PAUSE_BYTES,
    slowConsumerBytes: env.SLOW_CONSUMER_BYTES,
    signInAttemptsPerIp: env.SIGN_IN_ATTEMPTS_PER_IP,
    /** Failed sign-ins in a row for one email from one address before that pair must wait (a success resets it). */
    signInFailuresPerPair: env.SIGN_IN_FAILURES_PER_PAIR,
    /** Failed sign-ins for one email in a day (from any address) after which each next one is slowed, never locked. */
    signInSlowdownAfter: env.SIGN_IN_SLOWDOWN_AFTER,
    /** The longest wait the slowdown imposes between attempts on one email. */
    signInSlowdownMaxS: env.SIGN_IN_SLOWDOWN_MAX_S,
    /** Per client address (http/rate-limits.ts) and per socket (http/socket-limits.ts); 0 turns a limit off. */
    rateLimits: {
      /** API requests per address and minute (tRPC over HTTP, downloads, the rest of /api). */
      httpPerMinute: env.RATE_LIMIT_PER_MINUTE,
      /** auto: PostgreSQL with DATABASE_URL (instances share counts), memory with the embedded database. */
      store: rateLimitStore(env.RATE_LIMIT_STORE, env.DATABASE_URL),
      wsConnectionsPerUser: env.WS_CONNECTIONS_PER_USER,
      wsConnectionsPerIp: env.WS_CONNECTIONS_PER_IP,
      /** Calls (each of a batch counts) one socket may send in 10 s; past it they are refused, past twice that the socket is closed. */
      wsMessagesPer10s: env.WS_MESSAGES_PER_10S,
      /** Calls in one batch (HTTP, or one WebSocket message); more are refused before any runs. */
      maxBatch: env.TRPC_MAX_BATCH,
    },
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    /** A stress check-in's group picture is withheld (on the server) until this many present people have reported. */
    stressMinReports: env.STRESS_MIN_REPORTS,
    /** How people reach this server (absolute links such as download links): `PUBLIC_URL`, or Render's own. */
    publicUrl: (env.PUBLIC_URL ?? env.RENDER_EXTERNAL_URL)?.replace(/\/+$/, ""),
    jobs: {
      /** Jobs this process runs at once; 0: none here (`npm run worker` processes run them). */
      concurrency: env.JOB_CONCURRENCY,
      retryBaseMs: env.JOB_RETRY_BASE_MS,
      heartbeatMs: env.JOB_HEARTBEAT_MS,
      staleAfterMs: env.JOB_STALE_AFTER_MS,
      sweepEveryMs: Math.max(100, Math.min(5_000, Math.round(env.JOB_STALE_AFTER_MS / 3))),
      pollIntervalMs: 2_000,
    },
    files: {
      driver: env.FILES_DRIVER,
      dir: path.resolve(env.FILES_DIR ?? path.join(env.DATA_DIR, "files")),
      quotaBytes: env.FILES_QUOTA_BYTES,
      /** Files older than this many days are removed with their rows; unset keeps them. */
      retentionDays: env.FILES_RETENTION_DAYS,
      /** Hosts that screenshots may reach although they resolve to private addresses (tests, intranets). */
      screenshotAllowHosts: env.SCREENSHOT_ALLOW_HOSTS,
      screenshotPages: env.SCREENSHOT_PAGES,
      chromiumPath: env.CHROMIUM_PATH ?? env.PUPPETEER_EXECUTABLE_PATH ?? "/usr/bin/chromium",
    },
    chat: {
      /** Unset (or empty): Claude is not configured, and `chat.send` says so. */
      apiKey: env.ANTHROPIC_API_KEY?.trim() || undefined,
      model: env.ANTHROPIC_MODEL,
      /** Another Messages API endpoint (a proxy, or the local stand-in), without `/v1`. */
      baseUrl: env.ANTHROPIC_BASE_URL?.replace(/\/+$/, ""),
      /** Per user, sends and retries together. */
      messagesPerMinute: env.CHAT_MESSAGES_PER_MINUTE,
      /** The context sent with each message (system prompt + recent history), estimated at ~4 characters a token. */
      contextTokens: env.CHAT_CONTEXT_TOKENS,
      /** An answer's length cap (the Messages API's `max_tokens`). */
      maxTokens: env.CHAT_MAX_TOKENS,
      /** How patient Pulse is with Anthropic: a stalled stream, retries before any text, the circuit breaker. */
      upstream: {
        /** Longest wait for the response headers, and then for each next event of the stream. */
        timeoutMs: env.CHAT_UPSTREAM_TIMEOUT_MS,
        /** Retries after the first attempt (5xx, 529, time-outs, lost connections), while no text was shown. */
        maxRetries: env.CHAT_UPSTREAM_RETRIES,
        /** The first back-off; each next one doubles. */
        retryBaseMs: env.CHAT_UPSTREAM_RETRY_BASE_MS,
        /** Consecutive failed requests that open the circuit, and how long it stays open before one probe. */
        breaker: { failures: env.CHAT_BREAKER_FAILURES, openMs: env.CHAT_BREAKER_OPEN_MS },
      },
    },
    analytics: {
      /** Off: calls are not measured at all (record() returns at once); the benchmark compares. */
      measure: env.ANALYTICS_MEASURE,
      /** How often each instance writes its measurements to PostgreSQL. */
      flushMs: env.ANALYTICS_FLUSH_MS,
      /** Successful calls written to the request log per second and instance at most (errors always are). */
      logPerS: env.ANALYTICS_LOG_PER_S,
    },
    /** When set, `/metrics` answers only `Authorization: Bearer <token>`. */
    metricsToken: env.METRICS_TOKEN,
    version: env.APP_VERSION ?? env.RENDER_GIT_COMMIT?.slice(0, 7) ?? process.env.npm_package_version ?? "dev",
    /**
     * Load shedding: past either line (event-loop p99 each half second; heap used as a share of V8's
     * limit), new non-essential HTTP requests get 503 until both have stayed under for `clearAfterMs`.
     */
    shedding: { eventLoopMs: env.SHED_EVENT_LOOP_MS, heapPercent: env.SHED_HEAP_PERCENT, clearAfterMs: env.SHED_CLEAR_S * 1000, sampleEveryMs: 500, retryAfterS: 5 },
    /** Alert rules: error rate and p95 over the last `windowS` (from 20 calls on), heap used, event-loop p99. */
    alerts: {
      errorRate: env.ALERT_ERROR_RATE,
      p95Ms: env.ALERT_P95_MS,
      heapMb: env.ALERT_HEAP_MB,
      eventLoopMs: env.ALERT_EVENT_LOOP_MS,
      /** A raised alert clears once its figure has stayed under the line this long (no flapping at the line). */
      clearAfterS: env.ALERT_CLEAR_AFTER_S,
      /** The error-rate and p95 rules judge the last this many seconds of calls. */
      windowS: env.ALERT_WINDOW_S,
    },
  };
}

export class ConfigError extends Error {}

/** Environment → one typed object. Throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".");
      // Never echo a URL's password (DATABASE_URL) into logs.
      const shown = (env[name] ?? "").replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
      return `${name}=${JSON.stringify(shown)}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join("; ")}`);
  }
  return { ...toConfig(parsed.data), ...overrides };
}
