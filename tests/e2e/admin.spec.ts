/**
 * The Admin page against the real server: an admin switches maintenance mode on (a member's open
 * page shows the banner at once, and a change they try is refused with the admin's message; the
 * sign-in page shows it too) and off again; broadcasts a message (a member's open page shows the
 * toast; one who comes back later finds it unread); and reads the audit log by action and person.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { E2E_ADMIN as ADMIN, expectAccessible, newAccount, newDevice, scrollsSideways, signInAsAdmin, signUp, snap } from "./support";

const MESSAGE = "Upgrading the database; back by 15:00 UTC.";

// Several browsers, axe in two colour schemes and screenshots, on a busy two-core machine.
test.describe.configure({ timeout: 180_000 });

// Whatever happens in a test, the specs after this file run with maintenance off (this hook has a
// time budget of its own: a test that ran out of time cannot have its own clean-up cut short).
test.afterAll(async ({ playwright }, testInfo) => {
  const api = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
  try {
    const signIn = await api.post("/api/trpc/auth.signIn", { data: { json: { email: ADMIN.email, password: ADMIN.password } } });
    expect(signIn.ok(), await signIn.text()).toBe(true);
    const off = await api.post("/api/trpc/admin.setMaintenance", { data: { json: { on: false } } });
    expect(off.ok(), await off.text()).toBe(true);
  } finally {
    await api.dispose();
  }
});

/** A member, signed up in a browser of their own, on `path`. */
async function memberOn(browser: Browser, baseURL: string | undefined, path: string, name = "Mia Member") {
  const { context, page } = await newDevice(browser, baseURL, undefined);
  const account = newAccount(name);
  await signUp(page, account);
  await page.goto(path);
  return { context, page, account };
}

async function openAdmin(page: Page): Promise<void> {
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { level: 1, name: "Admin" })).toBeVisible();
}

test("maintenance mode: a member's page shows the banner and a refused change says why; then it ends", async ({ page, browser, baseURL }) => {
  // The admin first: on a fresh database the first account is an admin.
  await openAdmin(page);
  const member = await memberOn(browser, baseURL, "/account");
  await expect(member.page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  try {
    const card = page.getByTestId("maintenance-card");
    await expect(card.getByTestId("maintenance-state")).toHaveText("Off");
    await card.getByLabel("Message for everyone").fill(MESSAGE);
    await card.getByRole("button", { name: "Turn maintenance on" }).click();
    await expect(card.getByTestId("maintenance-state")).toHaveText("On");
    await expect(card.getByText("Maintenance mode is on: everyone sees the banner.")).toBeVisible();
    await expect(page.getByTestId("maintenance-banner")).toContainText("as an admin you can still make them");

    // The member's open page learns it live, without a reload.
    const banner = member.page.getByTestId("maintenance-banner");
    await expect(banner).toContainText("Maintenance mode.");
    await expect(banner).toContainText(MESSAGE);
    // A change is refused, with the admin's words; the name stays as it was.
    await member.page.getByLabel("Display name").fill("Mia Renamed");
    await member.page.getByRole("button", { name: "Save changes" }).click();
    await expect(member.page.getByRole("alert").filter({ hasText: "Pulse is in maintenance mode" })).toContainText(MESSAGE);
    await expect(member.page.getByTestId("profile-name")).toHaveText("Mia Member");
    await snap(member.page, "maintenance-member");
    await expectAccessible(member.page, "a member's account page in maintenance");
    // Every page shows it, and reading still works.
    await member.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Sessions/ }).click();
    await expect(member.page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
    await expect(member.page.getByTestId("maintenance-banner")).toContainText(MESSAGE);

    // Signed out, the sign-in page says so too (signing in still works).
    const visitor = await newDevice(browser, baseURL);
    await visitor.page.goto("/sign-in");
    await expect(visitor.page.getByTestId("maintenance-banner")).toContainText("Signing in works");
    await expect(visitor.page.getByTestId("maintenance-banner")).toContainText(MESSAGE);
    await snap(visitor.page, "maintenance-sign-in", { fullPage: false });
    await visitor.context.close();
    await snap(page, "admin-maintenance-on");

    await card.getByRole("button", { name: "Turn maintenance off" }).click();
    await expect(card.getByTestId("maintenance-state")).toHaveText("Off");
  } finally {
    // Off again even when something above failed (afterAll makes sure too).
    await page.request.post("/api/trpc/admin.setMaintenance", { data: { json: { on: false } } });
  }
  await expect(page.getByTestId("maintenance-banner")).toHaveCount(0);
  await expect(member.page.getByTestId("maintenance-banner")).toHaveCount(0);
  await member.page.goto("/account");
  await member.page.getByLabel("Display name").fill("Mia Renamed");
  await member.page.getByRole("button", { name: "Save changes" }).click();
  await expect(member.page.getByTestId("profile-name")).toHaveText("Mia Renamed");
  await member.context.close();
});

test("a broadcast shows as a toast on a member's open page, and waits for one who comes back", async ({ page, browser, baseURL }) => {
  await openAdmin(page);
  const member = await memberOn(browser, baseURL, "/sessions", "Bea Online");
  // Another member who has closed Pulse for now.
  const away = await memberOn(browser, baseURL, "/sessions", "Al Away");
  await away.context.close();

  const card = page.getByTestId("broadcast-card");
  await card.getByLabel("Message").fill("Pulse restarts at 18:00 UTC for a few minutes.");
  await card.getByRole("radio", { name: "Warning" }).check();
  await card.getByRole("button", { name: "Send to everyone" }).click();
  await expect(card.getByText("Sent to everyone signed in.")).toBeVisible();
  await expect(card.getByTestId("recent-broadcasts").getByRole("listitem").first()).toContainText("Pulse restarts at 18:00 UTC");
  // Its author is not told their own news.
  await expect(page.getByTestId("broadcast-toast")).toHaveCount(0);

  const toast = member.page.getByTestId("broadcast-toast");
  await expect(toast).toContainText("Pulse restarts at 18:00 UTC for a few minutes.");
  await expect(toast).toContainText("Grace Admin");
  await expect(toast).toHaveAttribute("data-level", "warning");
  await expect(member.page.getByRole("alert").filter({ hasText: "Pulse restarts" })).toBeVisible();
  await snap(member.page, "broadcast-toast", { fullPage: false });
  await expectAccessible(member.page, "a member's page with a broadcast");
  // Dismissed, it is read: a reload does not bring it back.
  await toast.getByRole("button", { name: /^Dismiss/ }).click();
  await expect(toast).toHaveCount(0);
  await member.page.reload();
  await expect(member.page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
  await expect(member.page.getByTestId("broadcast-toast")).toHaveCount(0);
  await member.context.close();

  // The member who was away sees it when they come back.
  const back = await newDevice(browser, baseURL);
  await back.page.goto("/sign-in");
  await back.page.getByLabel("Email").fill(away.account.email);
  await back.page.getByLabel("Password", { exact: true }).fill(away.account.password);
  await back.page.getByRole("button", { name: "Sign in" }).click();
  await expect(back.page).toHaveURL(/\/sessions$/);
  await expect(back.page.getByTestId("broadcast-toast")).toContainText("Pulse restarts at 18:00 UTC");
  await back.page.getByTestId("broadcast-toast").getByRole("button", { name: /^Dismiss/ }).click();
  await back.context.close();
});

test("the audit log shows who did what, by action and by person, page by page", async ({ page, browser, baseURL }) => {
  await openAdmin(page);
  // Something to find: a member's sign-up, and more than a page of failed sign-ins.
  const member = await memberOn(browser, baseURL, "/sessions", "Ida Audit");
  await member.context.close();
  for (let i = 0; i < 26; i++) {
    const response = await page.request.post("/api/trpc/auth.signIn", { data: { json: { email: `nobody-${i}-${Date.now()}@example.com`, password: "wrong password" } } });
    expect(response.status()).toBe(401);
  }
  await page.reload();
  const log = page.getByTestId("audit-log");
  const rows = log.getByTestId("audit-row");
  const actionsShown = () => rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-action")));
  await expect(rows.first()).toHaveAttribute("data-action", "auth.signInFailed");
  await expect(rows.first()).toContainText("Nobody signed in");

  // One action, more than a page of it.
  const action = log.getByLabel("Action");
  await action.selectOption({ label: "Sign-in failed (auth.signInFailed)" });
  await expect(rows).toHaveCount(25);
  await log.getByRole("button", { name: "Load more" }).click();
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(26);
  expect((await actionsShown()).every((a) => a === "auth.signInFailed")).toBe(true);

  // By kind: every action whose name starts with "auth.".
  await action.selectOption({ label: "Sign-ins and credentials (auth.*)" });
  await expect(rows).toHaveCount(25);
  expect((await actionsShown()).every((a) => a?.startsWith("auth."))).toBe(true);

  // By person: select a name (among the sign-ups); then every action of theirs.
  await action.selectOption({ label: "Signed up (auth.signUp)" });
  await log.getByRole("button", { name: "Ida Audit" }).first().click();
  await expect(log.getByTestId("actor-filter")).toHaveText("By Ida Audit");
  await action.selectOption({ label: "Every action" });
  await expect(rows.filter({ hasText: "Signed up" })).toHaveCount(1);
  await expect.poll(async () => (await rows.allTextContents()).every((text) => text.includes("Ida Audit"))).toBe(true);
  await snap(page, "admin");
  await expectAccessible(page, "the Admin page");
  expect(await scrollsSideways(page)).toBe(false);
  await log.getByRole("button", { name: "Show everyone, not only Ida Audit" }).click();
  await expect(log.getByTestId("actor-filter")).toHaveCount(0);
});

test("a member who opens the Admin page is told it is for admins", async ({ page }) => {
  await signUp(page, newAccount("Mo Member"));
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Admin" })).toBeVisible();
  await expect(page.getByText("Admins only")).toBeVisible();
  await expect(page.getByTestId("audit-log")).toHaveCount(0);
});
