import { expect, test } from "@playwright/test";
import { newAccount, signIn, signUp, signUpElsewhere, snap } from "./support";

test.describe("signing up and in", () => {
  test("the landing page leads to sign-up, and signing up opens the app", async ({ page }) => {
    const account = newAccount("Grace Hopper");
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Stay in sync");
    await snap(page, "landing");

    await page.getByRole("link", { name: "Create a free account" }).click();
    await expect(page).toHaveURL(/\/sign-up$/);
    await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
    await snap(page, "sign-up");

    await page.getByLabel("Name").fill(account.name);
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill(account.password);
    await page.getByRole("button", { name: "Create account" }).click();

    await expect(page).toHaveURL(/\/sessions$/);
    await expect(page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
    await expect(page.getByTestId("user-name")).toHaveText(account.name);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Status/ })).toBeVisible();

    // Signed in, the landing page sends you straight to the app.
    await page.goto("/");
    await expect(page).toHaveURL(/\/sessions$/);
  });

  test("sign-up shows each field's problem next to the field", async ({ page }) => {
    await page.goto("/sign-up");
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();

    const name = page.getByLabel("Name");
    const email = page.getByLabel("Email");
    const password = page.getByLabel("Password", { exact: true });
    await expect(page.getByText("Tell us your name.")).toBeVisible();
    await expect(page.getByText("Enter a valid email address.")).toBeVisible();
    await expect(page.getByText("Use at least 8 characters.")).toBeVisible();
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(email).toHaveAttribute("aria-invalid", "true");
    await expect(password).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("Please check the highlighted fields.");
    await expect(page).toHaveURL(/\/sign-up$/);
    await snap(page, "sign-up-errors");
  });

  test("signing up twice with one email says so", async ({ page, browser, baseURL }) => {
    const account = newAccount();
    await signUpElsewhere(browser, baseURL, account);

    await page.goto("/sign-up");
    await page.getByLabel("Name").fill("Someone Else");
    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill("another password");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("An account with this email already exists");
  });

  test("a wrong password shows the error; the right one signs in", async ({ page, browser, baseURL }) => {
    const account = newAccount("Katherine Johnson");
    await signUpElsewhere(browser, baseURL, account);

    await signIn(page, { email: account.email, password: "not my password" });
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Email or password is incorrect.");
    await expect(page).toHaveURL(/\/sign-in$/);
    await snap(page, "sign-in-error");

    await page.getByLabel("Password", { exact: true }).fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/sessions$/);
    await expect(page.getByTestId("user-name")).toHaveText(account.name);
  });

  test("app pages send anonymous visitors to sign in, and back afterwards", async ({ page, browser, baseURL }) => {
    const account = newAccount();
    await signUpElsewhere(browser, baseURL, account);

    await page.goto("/account");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
    await expect(page.getByText("Sign in to continue.")).toBeVisible();
    await snap(page, "sign-in");

    await page.getByLabel("Email").fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  });

  test("signing out ends the session and returns to sign in", async ({ page }) => {
    const account = newAccount();
    await signUp(page, account);
    await page.goto("/account");
    await page.getByRole("main").getByRole("button", { name: "Sign out" }).click();

    await expect(page).toHaveURL(/\/sign-in\?signed-out=1$/);
    await expect(page.getByText("You've signed out.")).toBeVisible();

    // The session is over: app pages ask to sign in again.
    await page.goto("/account");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
  });
});
