/** examples/client.ts, run as the README says, against a real server. */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server";
import { sql } from "./support/raw";

const projectDir = path.resolve(import.meta.dirname, "../..");

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** `npx tsx examples/client.ts`, as the README says; `viaNode` skips npx's own start-up (same program). */
function runExample(env: Record<string, string>, viaNode = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [command, args] = viaNode ? [process.execPath, ["--import", "tsx", "examples/client.ts"]] : ["npx", ["tsx", "examples/client.ts"]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectDir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("examples/client.ts", () => {
  const email = `example${Date.now()}@example.com`;
  const env = () => ({ PULSE_URL: server.url, PULSE_EMAIL: email, PULSE_PASSWORD: "example password 1", PULSE_NAME: "Example Bot" });

  it("signs up, makes an API token, calls auth.me with it, prints two health.live events and exits 0", async () => {
    const { code, stdout, stderr } = await runExample(env());
    expect(code, stdout + stderr).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toContain(`Signed up as ${email} (ADMIN)`);
    expect(stdout).toMatch(/^Created API token "example [^"]+" \(pat_\S+…\)$/m);
    expect(stdout).toMatch(new RegExp(`^auth\\.me → Example Bot <${email.replace(/\./g, "\\.")}>, ADMIN, member since `, "m"));
    const events = lines.filter((line) => line.startsWith("health.live #"));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatch(/^health\.live #1: (ok|degraded|unhealthy), score \d+, database round-trip [\d.]+ ms, /);
    expect(events[1]).toMatch(/^health\.live #2: /);
    expect(lines.at(-1)).toBe("Done.");
    // The secret itself is never printed.
    expect(stdout).not.toMatch(/pat_[A-Za-z0-9_-]{20,}/);

    // The token is real, and it is what the program used for auth.me.
    const tokens = await sql<{ name: string; prefix: string; lastUsedAt: Date | null }>(
      server.database.url,
      `SELECT t.name, t.prefix, t."lastUsedAt" FROM "ApiToken" t JOIN "User" u ON u.id = t."userId" WHERE u.email = $1`,
      [email],
    );
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.lastUsedAt).toBeInstanceOf(Date);
    expect(stdout).toContain(`(${tokens[0]!.prefix}…)`);
  }, 60_000);

  it("signs in when the account exists", async () => {
    const { code, stdout, stderr } = await runExample(env(), true);
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain(`Signed in as ${email} (ADMIN)`);
    expect(stdout).not.toContain("Signed up");
    expect(stdout.split("\n").filter((line) => line.startsWith("health.live #"))).toHaveLength(2);
  }, 60_000);

  it("exits 1 with a message when the password is wrong", async () => {
    const { code, stdout, stderr } = await runExample({ ...env(), PULSE_PASSWORD: "wrong password" }, true);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^examples\/client\.ts failed: Email or password is incorrect\.$/m);
    expect(stdout).not.toContain("Created API token");
  }, 60_000);
});
