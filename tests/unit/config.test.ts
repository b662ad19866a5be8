import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@/server/config";

const projectDir = path.resolve(import.meta.dirname, "../..");
/** An environment with just these variables (NodeJS.ProcessEnv's type insists on NODE_ENV). */
const env = (vars: Record<string, string | undefined>) => vars as NodeJS.ProcessEnv;

function configError(vars: Record<string, string>): ConfigError {
  try {
    loadConfig(env(vars));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(vars)} to be refused`);
}

describe("loadConfig", () => {
  it("has working defaults for an empty environment", () => {
    const config = loadConfig(env({}));
    expect(config).toMatchObject({
      env: "development",
      production: false,
      port: 3000,
      host: "0.0.0.0",
      databaseUrl: undefined,
      dataDir: path.resolve(".data"),
      adminEmails: [],
      secureCookies: false,
      trustProxy: 0,
      rateLimits: { httpPerMinute: 100, store: "memory", wsConnectionsPerUser: 20, wsConnectionsPerIp: 50, wsMessagesPer10s: 100, maxBatch: 50 },
      signInFailuresPerPair: 5,
      signInSlowdownAfter: 10,
      maxBodyBytes: 1024 * 1024,
      shutdownGraceMs: 10_000,
      stressMinReports: 3,
    });
  });

  it("reads PORT, HOST, DATABASE_URL and the rest", () => {
    const config = loadConfig(env({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATABASE_URL: "postgresql://pulse:pw@db:5432/pulse",
      DATA_DIR: "/tmp/pulse-data",
      ADMIN_EMAILS: " Ada@Example.com, ,bo@example.com ",
      TRUST_PROXY: "true",
      SIGN_IN_FAILURES_PER_PAIR: "3",
      RATE_LIMIT_PER_MINUTE: "0",
      APP_VERSION: "1.2.3",
      STRESS_MIN_REPORTS: "5",
    }));
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: "postgresql://pulse:pw@db:5432/pulse",
      dataDir: "/tmp/pulse-data",
      adminEmails: ["ada@example.com", "bo@example.com"],
      trustProxy: 1,
      signInFailuresPerPair: 3,
      // A database of its own: several instances may share it, so they share their counts.
      rateLimits: { httpPerMinute: 0, store: "postgres" },
      version: "1.2.3",
      stressMinReports: 5,
    });
  });

  it("makes cookies Secure in production unless told otherwise", () => {
    expect(loadConfig(env({ NODE_ENV: "production" })).secureCookies).toBe(true);
    expect(loadConfig(env({ NODE_ENV: "production", SESSION_COOKIE_SECURE: "0" })).secureCookies).toBe(false);
    expect(loadConfig(env({ NODE_ENV: "development", SESSION_COOKIE_SECURE: "yes" })).secureCookies).toBe(true);
  });

  it("takes the version from Render's commit when APP_VERSION is unset", () => {
    expect(loadConfig(env({ RENDER_GIT_COMMIT: "0123456789abcdef" })).version).toBe("0123456");
  });

  it("refuses a bad PORT with one line naming PORT and its value", () => {
    const error = configError({ PORT: "abc" });
    expect(error.message).not.toContain("\n");
    expect(error.message).toMatch(/\bPORT="abc": /);
    expect(error.message).not.toMatch(/HOST|DATABASE_URL|LOG_LEVEL/);
  });

  it("refuses out-of-range and malformed values, naming each", () => {
    expect(configError({ PORT: "70000" }).message).toMatch(/\bPORT="70000"/);
    expect(configError({ PORT: "3000.5" }).message).toMatch(/\bPORT=/);
    expect(configError({ NODE_ENV: "staging" }).message).toMatch(/\bNODE_ENV="staging"/);
    expect(configError({ TRUST_PROXY: "maybe" }).message).toMatch(/\bTRUST_PROXY="maybe"/);
    expect(configError({ MAX_BODY_BYTES: "10" }).message).toMatch(/\bMAX_BODY_BYTES="10"/);
    expect(configError({ DATABASE_POOL_SIZE: "0" }).message).toMatch(/\bDATABASE_POOL_SIZE="0"/);
    // Two people could each read the other's stress report from the aggregate.
    expect(configError({ STRESS_MIN_REPORTS: "2" }).message).toMatch(/\bSTRESS_MIN_REPORTS="2": must be at least 3/);
    const both = configError({ PORT: "abc", LOG_LEVEL: "loud" });
    expect(both.message).not.toContain("\n");
    expect(both.message).toMatch(/\bPORT=.*\bLOG_LEVEL="loud"/);
  });

  it("says what a DATABASE_URL must look like, without echoing its password", () => {
    const error = configError({ DATABASE_URL: "mysql://pulse:s3cret-pw@db:3306/pulse" });
    expect(error.message).toMatch(/\bDATABASE_URL=.*postgres/);
    expect(error.message).not.toContain("s3cret-pw");
  });

  it("reads how patient chat is with Anthropic (time-out, retries, breaker), with today's defaults", () => {
    expect(loadConfig(env({})).chat.upstream).toEqual({ timeoutMs: 60_000, maxRetries: 3, retryBaseMs: 500, breaker: { failures: 5, openMs: 30_000 } });
    const config = loadConfig(env({ CHAT_UPSTREAM_TIMEOUT_MS: "2000", CHAT_UPSTREAM_RETRIES: "0", CHAT_UPSTREAM_RETRY_BASE_MS: "10", CHAT_BREAKER_FAILURES: "2", CHAT_BREAKER_OPEN_MS: "500" }));
    expect(config.chat.upstream).toEqual({ timeoutMs: 2_000, maxRetries: 0, retryBaseMs: 10, breaker: { failures: 2, openMs: 500 } });
    expect(configError({ CHAT_BREAKER_FAILURES: "0" }).message).toMatch(/\bCHAT_BREAKER_FAILURES="0"/);
    expect(configError({ CHAT_UPSTREAM_RETRIES: "-1" }).message).toMatch(/\bCHAT_UPSTREAM_RETRIES="-1"/);
    expect(configError({ CHAT_UPSTREAM_TIMEOUT_MS: "soon" }).message).toMatch(/\bCHAT_UPSTREAM_TIMEOUT_MS="soon"/);
  });

  it("lets explicit overrides win over the environment", () => {
    expect(loadConfig(env({ PORT: "8080" }), { port: 0, adminEmails: ["x@example.com"] })).toMatchObject({ port: 0, adminEmails: ["x@example.com"] });
  });
});

describe("the real entry (src/server/main.ts)", () => {
  it("exits 1 with one clear line when PORT is bad, before starting anything", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/server/main.ts"], {
      cwd: projectDir,
      env: env({ PATH: process.env.PATH, HOME: process.env.HOME, PORT: "abc" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    const lines = (stdout + stderr).trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: PORT="abc": /);
  }, 30_000);
});
