/**
 * End-to-end tests: the real app (production build, custom server, embedded PostgreSQL in a
 * throwaway directory) driven by a real Chromium: Debian's /usr/bin/chromium by default,
 * CHROMIUM_PATH for another binary, CHROMIUM_PATH=playwright for Playwright's own download.
 *
 *   npx playwright test                 # starts the app on E2E_PORT (3199) unless one is running there
 *   E2E_BASE_URL=http://localhost:3000 npx playwright test   # against an app you started yourself
 *
 * Claude, for the chat page, is the local stand-in (`npm run fake-anthropic`) on E2E_PORT + 100,
 * started beside the app; an app you started yourself needs ANTHROPIC_BASE_URL pointing at one.
 */
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3199);
const baseURL = process.env.E2E_BASE_URL ?? `http://localhost:${port}`;
// One directory per run, removed before start: the first account of a fresh database is an admin.
const dataDir = path.join(os.tmpdir(), `pulse-e2e-${port}`);
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Also in tests/e2e/support.ts (signInAsAdmin). */
const E2E_ADMIN_EMAIL = "e2e-admin@example.com";
/** The local Anthropic stand-in the app talks to (scripts/fake-anthropic.ts): beside the app's port, so parallel runs don't collide. */
const fakeAnthropicPort = port + 100;

export default defineConfig({
  testDir: "tests/e2e",
  // Vitest writes test-results/vitest.json: keep Playwright's artefacts in their own folder so
  // cleaning them does not delete it. Page screenshots go to test-results/screenshots/.
  outputDir: "test-results/playwright",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // One app and one database for every test: run them one after another, in a stable order.
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI
    ? [["list"], ["json", { outputFile: "test-results/playwright.json" }]]
    : [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    locale: "en-GB",
    timezoneId: "UTC",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1360, height: 900 },
        launchOptions: {
          ...(chromiumPath === "playwright" ? {} : { executablePath: chromiumPath }),
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: process.env.E2E_BASE_URL
    ? undefined
    : [
        {
          // Claude for the chat page: answers per the prompt's controls ([[429]], [[slow:200]], …;
          // see src/server/features/chat/fake-answer.ts). Started first: the app's URL is its env.
          command: `exec npx tsx scripts/fake-anthropic.ts --port ${fakeAnthropicPort}`,
          // It answers anything but POST /v1/messages with 404, which is not "ready": wait for the port.
          port: fakeAnthropicPort,
          timeout: 60_000,
          reuseExistingServer: !process.env.CI,
          stdout: "pipe",
          stderr: "pipe",
        },
        {
          // `npm start` builds the pages and the server first when there is no production build.
          // `exec`: the shell becomes npm, so at the end Playwright waits for npm and the server's
          // drain, not for a shell that SIGTERM ends at once.
          command: `rm -rf "${dataDir}" && exec npm start`,
          url: `http://127.0.0.1:${port}/health/ready`,
          env: {
            PORT: String(port),
            DATA_DIR: dataDir,
            NODE_ENV: "production",
            LOG_LEVEL: "warn",
            // Every test signs in from 127.0.0.1: lift the per-IP limit (per-email stays at its default).
            SIGN_IN_ATTEMPTS_PER_IP: "1000",
            // Likewise the API's per-address limits: every page, test and socket comes from one address
            // (the limits have their own tests, tests/integration/rate-limits.test.ts).
            RATE_LIMIT_PER_MINUTE: "100000",
            WS_CONNECTIONS_PER_IP: "10000",
            WS_CONNECTIONS_PER_USER: "10000",
            WS_MESSAGES_PER_10S: "100000",
            // The admin the tests sign in as (tests/e2e/support.ts, signInAsAdmin); give a server you
            // started yourself the same setting when you point E2E_BASE_URL at it.
            ADMIN_EMAILS: E2E_ADMIN_EMAIL,
            // The Files page's screenshot test shoots the app itself, which is on loopback.
            SCREENSHOT_ALLOW_HOSTS: "localhost,127.0.0.1",
            // Claude is the local stand-in above (any non-empty key is accepted there).
            ANTHROPIC_BASE_URL: `http://127.0.0.1:${fakeAnthropicPort}`,
            ANTHROPIC_API_KEY: "fake",
            // Pulse's retries of a failing Claude back off from 100 ms instead of 500 ms: the chat
            // spec's five failed answers (which open the circuit) take seconds, not twenty.
            CHAT_UPSTREAM_RETRY_BASE_MS: "100",
            // A build and a browser share this machine with the server: its p95 and event-loop
            // delay cross the default alert lines, and an admin's alert toast would then cover
            // whatever a test clicks at the top right. Alerts are tested in analytics-alerts.test.ts.
            ALERT_P95_MS: "60000",
            ALERT_EVENT_LOOP_MS: "60000",
            ALERT_HEAP_MB: "100000",
            // Likewise a stall of this shared machine is not overload: shedding is tested in shedding.test.ts.
            SHED_EVENT_LOOP_MS: "0",
          },
          timeout: 5 * 60_000,
          reuseExistingServer: !process.env.CI,
          // Stop it as a platform would, so it drains and stops its embedded PostgreSQL, which runs
          // in a process group of its own (Playwright's default, SIGKILL to the group, would leave
          // that PostgreSQL running).
          gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
          stdout: "pipe",
          stderr: "pipe",
        },
      ],
});
