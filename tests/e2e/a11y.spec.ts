/**
 * Every page, at a desk's width (1280) and a phone's (390), in light and dark: no serious or
 * critical axe-core violation, and no sideways scrolling. One test per page, so that a slow
 * machine is judged page by page.
 */
import { expect, test, type Page } from "@playwright/test";
import { createSession, expectAccessible, newAccount, scrollsSideways, signUp, withAdminCookies } from "./support";

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
};

async function check(page: Page, path: string, ready: (page: Page) => Promise<void>) {
  await page.goto(path);
  await ready(page);
  await expectAccessible(page, `${path} at ${page.viewportSize()!.width} px`);
  expect.soft(await scrollsSideways(page), `${path} scrolls sideways`).toBe(false);
}

type Who = "nobody" | "admin" | "member";

const PAGES: { name: string; who: Who; path: string; ready: (page: Page) => Promise<void> }[] = [
  { name: "landing", who: "nobody", path: "/", ready: heading(/Stay in sync/) },
  { name: "sign-in", who: "nobody", path: "/sign-in", ready: heading("Welcome back") },
  { name: "sign-up", who: "nobody", path: "/sign-up", ready: heading("Create your account") },
  { name: "sessions list", who: "admin", path: "/sessions", ready: heading("Sessions") },
  { name: "account", who: "admin", path: "/account", ready: heading("Account") },
  {
    name: "status",
    who: "admin",
    path: "/status",
    ready: async (page) => {
      await heading("System status")(page);
      await expect(page.getByTestId("overall-status")).toBeVisible();
    },
  },
  { name: "chat", who: "admin", path: "/chat", ready: heading("Chat") },
  { name: "files", who: "admin", path: "/files", ready: heading("Files") },
  { name: "jobs", who: "admin", path: "/jobs", ready: heading("Jobs") },
  {
    name: "analytics",
    who: "admin",
    path: "/analytics",
    ready: async (page) => {
      await heading("Analytics")(page);
      // Live figures in, charts drawn, the tables and the usage loaded.
      await expect(page.getByTestId("tile-requests-value")).toBeVisible();
      await expect(page.getByTestId("chart-requests").locator("canvas")).toBeVisible();
      await expect(page.getByTestId("slowest-routes").getByRole("table").or(page.getByText("No requests in this window yet").first())).toBeVisible();
      await expect(page.getByTestId("usage").getByRole("heading", { level: 2, name: "Platform usage" })).toBeVisible();
      // An error group opened: its details (request id, stack) are checked too.
      const group = page.getByTestId("error-group").first();
      if (await group.isVisible()) await group.getByRole("button").first().click();
    },
  },
  {
    name: "analytics, a member's own",
    who: "member",
    path: "/analytics",
    ready: async (page) => {
      await heading("Analytics")(page);
      await expect(page.getByRole("heading", { level: 2, name: "Your usage" })).toBeVisible();
      await expect(page.getByTestId("request-log")).toBeVisible();
    },
  },
  {
    name: "admin",
    who: "admin",
    path: "/admin",
    ready: async (page) => {
      await heading("Admin")(page);
      await expect(page.getByTestId("maintenance-state")).toBeVisible();
      await expect(page.getByTestId("audit-log").getByRole("table")).toBeVisible();
    },
  },
  {
    name: "load tests",
    who: "admin",
    path: "/load-tests",
    ready: async (page) => {
      await heading("Load tests")(page);
      await expect(page.getByTestId("lt-start-form")).toBeVisible();
      await expect(page.getByTestId("lt-history").getByRole("status")).toHaveCount(0);
      // The grading rules opened, so their table is checked too.
      await page.getByTestId("lt-grading").getByText("How runs are graded").click();
      await expect(page.getByTestId("lt-grading").getByRole("table")).toBeVisible();
    },
  },
  { name: "admin, refused to a member", who: "member", path: "/admin", ready: heading("Admin") },
  { name: "not found", who: "nobody", path: "/no-such-page", ready: heading("This page doesn't exist") },
];

const ROOMS = [
  { kind: "meditation", title: "Axe sit", config: { durationMs: 60_000, bellIntervalMs: 30_000 } },
  { kind: "breathing", title: "Axe breathing" },
  { kind: "stress", title: "Axe check-in" },
  { kind: "collaboration", title: "Axe notes" },
];

for (const viewport of VIEWPORTS) {
  test.describe(`axe at ${viewport.width} px`, () => {
    // Two axe runs per page (light, dark) take a while on a busy two-core machine.
    test.describe.configure({ timeout: 120_000 });
    test.beforeEach(async ({ page }) => {
      await page.setViewportSize(viewport);
    });

    for (const { name, who, path, ready } of PAGES) {
      test(`${name}: no serious or critical violations`, async ({ page }) => {
        if (who === "admin") await withAdminCookies(page);
        if (who === "member") await signUp(page, newAccount("Mo Member"));
        await check(page, path, ready);
      });
    }

    for (const room of ROOMS) {
      test(`${room.kind} room, running: no serious or critical violations`, async ({ page }) => {
        await withAdminCookies(page);
        const title = `${room.title} ${viewport.width}`;
        const id = await createSession(page, { ...room, title });
        await check(page, `/sessions/${id}`, async (p) => {
          await heading(title)(p);
          await expect(p.getByTestId("room-connection")).toHaveText("Connected");
          // Started, so the timer, the breathing guide and the host's controls are as people see them.
          await p.getByRole("button", { name: "Start session" }).click();
          await expect(p.getByTestId("room-header").getByTestId("session-status")).toHaveText("Live");
        });
      });
    }
  });
}
