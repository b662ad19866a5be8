import { defineConfig } from "vitest/config";

export default defineConfig({
  // `@/…` → `src/…` from tsconfig.json's paths, as Next, tsx, esbuild and Playwright read it.
  resolve: { tsconfigPaths: true },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    globalSetup: ["tests/helpers/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // A deprecation is a failure: pg's "client.query() while already executing a query" (an error
    // in pg 9) must not come back unnoticed.
    execArgv: ["--throw-deprecation"],
    // Integration files each start a server and a database: two cores, two at a time.
    maxWorkers: 2,
    // As Playwright's: on CI's shared two-core machine a test may be tried twice; .ci/summary.mjs
    // names every test that needed it, so a flake is seen, not hidden.
    retry: process.env.CI ? 1 : 0,
    // CI sums this report with Playwright's into one "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: "test-results/vitest.json" }]] : ["default"],
  },
});
