import { expect, test } from "@playwright/test";
import { apiClient, newAccount, scrollsSideways, signUp, signInElsewhere, snap } from "./support";

test.describe("account", () => {
  test("create an API token, use it, see it listed, then revoke it", async ({ page, baseURL }) => {
    const account = newAccount("Margaret Hamilton");
    await signUp(page, account);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();

    const tokens = page.getByRole("region", { name: "API tokens" });
    await expect(tokens.getByText("No API tokens yet")).toBeVisible();

    // A nameless token is refused next to the field.
    await tokens.getByRole("button", { name: "Create token" }).click();
    await expect(tokens.getByText("Name the token.")).toBeVisible();

    await tokens.getByLabel("New token name").fill("CI pipeline");
    await tokens.getByRole("button", { name: "Create token" }).click();

    // The secret is shown once, with a copy button.
    const secret = tokens.getByTestId("new-token-value");
    await expect(secret).toHaveText(/^pat_[A-Za-z0-9_-]{20,}$/);
    await expect(tokens.getByRole("button", { name: "Copy" })).toBeVisible();
    const token = (await secret.textContent())!;

    const row = tokens.getByRole("row").filter({ hasText: "CI pipeline" });
    await expect(row).toBeVisible();
    await expect(row).toContainText(token.slice(0, 12));
    await expect(row).toContainText("Never");
    await snap(page, "account-token-created");

    // The token works for a program…
    const program = apiClient(baseURL!, token);
    expect((await program.auth.me.query())?.email).toBe(account.email);
    await program.close();

    // Once dismissed, the secret is gone from the page.
    await tokens.getByRole("button", { name: /hide the token/ }).click();
    await expect(tokens.getByTestId("new-token-value")).toHaveCount(0);

    // …until it is revoked.
    await row.getByRole("button", { name: "Revoke token CI pipeline" }).click();
    await row.getByRole("button", { name: "Confirm: Revoke token CI pipeline" }).click();
    await expect(tokens.getByRole("row").filter({ hasText: "CI pipeline" })).toHaveCount(0);
    await expect(tokens.getByText("No API tokens yet")).toBeVisible();
    await expect(tokens.getByRole("status").filter({ hasText: "Revoked" })).toBeVisible();

    const revoked = apiClient(baseURL!, token);
    expect(await revoked.auth.me.query()).toBeNull();
    await revoked.close();
  });

  test("revoke another login session: that device is signed out", async ({ page, browser, baseURL }) => {
    const account = newAccount("Annie Easley");
    await signUp(page, account);
    const elsewhere = await signInElsewhere(browser, baseURL, account);
    await elsewhere.page.goto("/status");
    await expect(elsewhere.page.getByRole("main").getByRole("status").filter({ hasText: /^\s*Live\s*$/ })).toBeVisible();

    await page.goto("/account");
    const sessions = page.getByRole("region", { name: "Login sessions" });
    const rows = sessions.getByTestId("login-session");
    await expect(rows).toHaveCount(2);
    const current = rows.filter({ hasText: "This device" });
    await expect(current).toHaveCount(1);
    await expect(current).toContainText(/Chrome on \w+/);
    await expect(rows.filter({ hasNotText: "This device" })).toContainText("Safari on iOS");
    await expect(sessions).toContainText("1 other session signed in.");
    await snap(page, "account");

    const other = rows.filter({ hasNotText: "This device" });
    await other.getByRole("button", { name: /^Revoke / }).click();
    await other.getByRole("button", { name: /^Confirm: Revoke / }).click();
    await expect(rows).toHaveCount(1);
    await expect(sessions).toContainText("Only this device is signed in.");

    // The other browser, watching the live status page, is signed out on the spot: its socket is
    // closed, and it is sent to sign in without clicking anything.
    await expect(elsewhere.page).toHaveURL(/\/sign-in\?next=%2Fstatus$/);
    await elsewhere.page.goto("/account");
    await expect(elsewhere.page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
    await elsewhere.context.close();

    // This one is still signed in.
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  });

  test("edit your display name", async ({ page }) => {
    const account = newAccount("Mary Jackson");
    await signUp(page, account);
    await page.goto("/account");
    const profile = page.getByRole("region", { name: "Profile" });
    const name = profile.getByLabel("Display name");
    await expect(name).toHaveValue("Mary Jackson");

    await name.fill("");
    await profile.getByRole("button", { name: "Save changes" }).click();
    await expect(profile.getByText("Enter your name.")).toBeVisible();

    await name.fill("Mary W. Jackson");
    await profile.getByRole("button", { name: "Save changes" }).click();
    await expect(profile.getByRole("status").filter({ hasText: "Profile saved" })).toBeVisible();
    await expect(page.getByTestId("user-name")).toHaveText("Mary W. Jackson");
    await page.reload();
    await expect(profile.getByLabel("Display name")).toHaveValue("Mary W. Jackson");
  });

  test("the theme choice is remembered", async ({ page }) => {
    await signUp(page, newAccount());
    await page.getByRole("radio", { name: "Dark theme" }).click();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    await expect(page.getByRole("radio", { name: "Dark theme" })).toHaveAttribute("aria-checked", "true");
    await page.getByRole("radio", { name: "Match system theme" }).click();
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", /.+/);
  });

  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ]) {
    test(`at ${viewport.width} px: a new token's secret fits the card, and revoking that token clears it`, async ({ page }) => {
      await page.setViewportSize(viewport);
      await signUp(page, newAccount("Katherine Johnson"));
      await page.goto("/account");
      const tokens = page.getByRole("region", { name: "API tokens" });
      expect(await scrollsSideways(page)).toBe(false);

      await tokens.getByLabel("New token name").fill("Phone script");
      await tokens.getByRole("button", { name: "Create token" }).click();
      const secret = tokens.getByTestId("new-token-value");
      await expect(secret).toHaveText(/^pat_/);
      // Nothing sticks out: no sideways scroll, and the field, button and secret stay inside the card.
      expect(await scrollsSideways(page)).toBe(false);
      const card = (await tokens.boundingBox())!;
      for (const part of [tokens.getByLabel("New token name"), tokens.getByRole("button", { name: "Create token" }), tokens.getByTestId("new-token")]) {
        const box = (await part.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(card.x);
        expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width);
      }
      await snap(page, `account-token-created-${viewport.width}`);

      // Revoking the token that is on show takes its secret off the screen.
      const row = tokens.getByRole("row").filter({ hasText: "Phone script" });
      await row.getByRole("button", { name: "Revoke token Phone script" }).click();
      await row.getByRole("button", { name: "Confirm: Revoke token Phone script" }).click();
      await expect(tokens.getByRole("status").filter({ hasText: "Revoked" })).toBeVisible();
      await expect(tokens.getByTestId("new-token")).toHaveCount(0);
      await expect(tokens.getByText(/Copy it now/)).toHaveCount(0);
      expect(await scrollsSideways(page)).toBe(false);
    });
  }
});
