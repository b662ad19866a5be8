import AxeBuilder from "@axe-core/playwright";
import { devices, expect, test, type Browser, type Cookie, type Page } from "@playwright/test";
import { createPulseClient } from "@/trpc/client";

export interface Account {
  name: string;
  email: string;
  password: string;
}

let counter = 0;
/** A fresh, unique account (not yet created). */
export function newAccount(name = "Ada Lovelace"): Account {
  counter += 1;
  return { name, email: `e2e-${Date.now().toString(36)}-${process.pid}-${counter}@example.com`, password: "correct horse battery" };
}

/** Signs up through the page, as a person would, and waits for the app to open. */
export async function signUp(page: Page, account: Account): Promise<void> {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/sessions$/);
  await expect(page.getByTestId("user-name")).toHaveText(account.name);
}

export async function signIn(page: Page, account: Pick<Account, "email" | "password">): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The tests' admin (ADMIN_EMAILS in playwright.config.ts). */
export const E2E_ADMIN: Account = { name: "Grace Admin", email: "e2e-admin@example.com", password: "correct horse battery" };

/**
 * Signs in as the tests' admin (ADMIN_EMAILS in playwright.config.ts): signs it up the first
 * time, signs in after that (a retry, another test).
 */
export async function signInAsAdmin(page: Page): Promise<Account> {
  const admin = E2E_ADMIN;
  await signIn(page, admin);
  const signedIn = await page
    .waitForURL(/\/sessions$/, { timeout: 5_000 })
    .then(() => true)
    .catch(() => false);
  if (!signedIn) await signUp(page, admin);
  await expect(page.getByTestId("user-name")).toHaveText(admin.name);
  return admin;
}

const adminCookies = new Map<string, Cookie[]>();

/**
 * Signed in as the tests' admin without the sign-in page: one sign-in over HTTP per test file,
 * whose cookies every later page of the file is given. For tests about
 * another page (axe's); auth.spec.ts and signInAsAdmin sign in as a person does.
 */
export async function withAdminCookies(page: Page): Promise<void> {
  // Per file: another file may have signed this admin out everywhere.
  const cookies = adminCookies.get(test.info().file);
  if (cookies) {
    await page.context().addCookies(cookies);
  } else {
    const credentials = { email: E2E_ADMIN.email, password: E2E_ADMIN.password };
    let response = await page.request.post("/api/trpc/auth.signIn", { data: { json: credentials } });
    if (response.status() === 401) response = await page.request.post("/api/trpc/auth.signUp", { data: { json: { ...credentials, name: E2E_ADMIN.name } } });
    expect(response.ok(), await response.text()).toBe(true);
    adminCookies.set(test.info().file, await page.context().cookies());
  }
}

/** Another device: a browser context with its own cookies (a phone, unless told otherwise). */
export async function newDevice(browser: Browser, baseURL: string | undefined, userAgent = devices["iPhone 13"].userAgent) {
  const context = await browser.newContext({ baseURL, userAgent });
  return { context, page: await context.newPage() };
}

/** Creates the account from another device, leaving this page signed out. */
export async function signUpElsewhere(browser: Browser, baseURL: string | undefined, account: Account): Promise<void> {
  const { context, page } = await newDevice(browser, baseURL);
  await signUp(page, account);
  await context.close();
}

/** Another device signed in to the same account. */
export async function signInElsewhere(browser: Browser, baseURL: string | undefined, account: Account) {
  const { context, page } = await newDevice(browser, baseURL);
  await signIn(page, account);
  await expect(page).toHaveURL(/\/sessions$/);
  return { context, page };
}

type CreateInput = Record<string, unknown> & { kind: string; title: string };

/** Creates a session as the page's signed-in user, over HTTP with their cookie (like a program would). */
export async function createSession(page: Page, input: CreateInput): Promise<string> {
  const response = await page.request.post("/api/trpc/sessions.create", { data: { json: input } });
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { result: { data: { json: { id: string } } } };
  return body.result.data.json.id;
}

/** Calls a tRPC mutation as the page's signed-in user (its cookie), e.g. `sessions.start`. */
export async function mutateAs(page: Page, path: string, input: unknown): Promise<void> {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  expect(response.ok(), await response.text()).toBe(true);
}

/** The typed API client a program would use, with an API token. */
export function apiClient(baseURL: string, token?: string) {
  return createPulseClient({ url: baseURL, token });
}

/** Saves the page in light and dark under test-results/screenshots/<name>-<scheme>.png. */
export async function snap(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(120);
    await page.screenshot({
      path: `test-results/screenshots/${name}-${colorScheme}.png`,
      fullPage: options.fullPage ?? true,
      animations: "disabled",
    });
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/**
 * Runs axe-core on the page as it is now, in light and in dark, and fails on any serious or
 * critical violation, listing each rule with the elements it found.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    // Let colour transitions finish before contrast is measured.
    await page.waitForTimeout(250);
    // Every rule in light; in dark, only the ones that colours can change.
    const axe = new AxeBuilder({ page });
    const { violations } = await (colorScheme === "dark" ? axe.withRules(["color-contrast", "link-in-text-block"]) : axe).analyze();
    const serious = violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${n.target.join(" ")}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, " ")}]` : ""}`).join("; ")}`);
    // Soft: one run lists every page's violations, not just the first page's.
    expect.soft(serious, `${what}, ${colorScheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** True when the page scrolls sideways (content wider than the viewport). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}
