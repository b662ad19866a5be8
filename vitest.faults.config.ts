import { defineConfig } from "vitest/config";

/**
 * `npm run test:faults`: what Pulse does when things go wrong on purpose — a fuzz over every
 * procedure's input, hostile download ids, a server killed under live traffic and restarted, the
 * database taken away under load, a room of 150 sockets on two instances with sockets dropping and
 * resuming, a reader that stops reading under megabytes of updates. Heavy: one file at a time. `npm test` runs it between the unit
 * and integration tests and the browser tests.
 */
export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    include: ["tests/faults/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: "forks",
    execArgv: ["--throw-deprecation"],
    maxWorkers: 1,
    // As Playwright's: on CI's shared two-core machine a test may be tried twice; .ci/summary.mjs
    // names every test that needed it, so a flake is seen, not hidden.
    retry: process.env.CI ? 1 : 0,
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results/faults.json" }]] : ["default"],
  },
});
