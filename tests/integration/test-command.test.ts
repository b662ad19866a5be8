/**
 * `npm test` chains Vitest, the fault suite and Playwright with `&&`, and CI trusts its exit code:
 * a failing test must make Vitest exit non-zero, and a passing run exit 0, with the embedded
 * PostgreSQL started, whose library once turned the first into 0 and could turn the second into 1
 * on its way out (db/embedded.ts).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

const projectDir = path.resolve(import.meta.dirname, "../..");

function runVitest(config: string, fileFilter: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "" };
  delete env.DATABASE_URL; // the embedded cluster, as on a fresh machine
  const child = spawn(process.execPath, [path.join(projectDir, "node_modules/vitest/vitest.mjs"), "run", "--config", config, fileFilter], {
    cwd: projectDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output })));
}

it("a failed test makes the run exit 1, after the embedded PostgreSQL started and stopped", async () => {
  const { code, output } = await runVitest("tests/fixtures/test-command/vitest.config.ts", "fails");
  expect(output).toContain("1 failed");
  expect(output).toContain("what it expected");
  expect(code, output).toBe(1);
}, 120_000);

it("a run whose tests all pass exits 0, with nothing thrown as it ends", async () => {
  const { code, output } = await runVitest("tests/fixtures/test-command/vitest.config.ts", "passes");
  expect(output).toContain("1 passed");
  expect(output).not.toMatch(/TypeError|Unhandled/);
  expect(code, output).toBe(0);
}, 120_000);
