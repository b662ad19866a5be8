import { devices, expect, type Browser, type Page } from "@playwright/test";
import { createPulseClient } from "../../src/trpc/client";

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

/**
 * Signs in as the tests' admin (ADMIN_EMAILS in playwright.config.ts): signs it up the first
 * time, signs in after that (a retry, another test).
 */
export async function signInAsAdmin(page: Page): Promise<Account> {
  const admin = { name: "Grace Admin", email: "e2e-admin@example.com", password: "correct horse battery" };
  await signIn(page, admin);
  const signedIn = await page
    .waitForURL(/\/sessions$/, { timeout: 5_000 })
    .then(() => true)
    .catch(() => false);
  if (!signedIn) await signUp(page, admin);
  await expect(page.getByTestId("user-name")).toHaveText(admin.name);
  return admin;
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
