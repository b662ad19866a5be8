import { expect, test } from "@playwright/test";
import { newAccount, scrollsSideways, signUp, snap } from "./support";

test("every section is one click away; admin sections tell members why not", async ({ page }) => {
  await signUp(page, newAccount());
  const nav = page.getByRole("navigation", { name: "Main" });
  await snap(page, "sessions");
  // Analytics is built: a member sees their own usage there.
  await nav.getByRole("link", { name: /^Analytics/ }).click();
  await expect(page).toHaveURL(/\/analytics$/);
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Your usage" })).toBeVisible();
  await expect(page.getByText("Coming soon")).toHaveCount(0);
  await expect(nav.getByRole("link", { name: /^Analytics/ })).toHaveAttribute("aria-current", "page");

  // Admin sections: shown to admins in the menu; anyone else who opens them is told why not.
  await page.goto("/admin");
  await expect(page.getByRole("heading", { level: 1, name: "Admin" })).toBeVisible();
  await expect(page.getByText("Admins only")).toBeVisible();
  await snap(page, "admin-refused");
  await page.goto("/load-tests");
  await expect(page.getByRole("heading", { level: 1, name: "Load tests" })).toBeVisible();
});

test("the app works on a phone-sized screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, newAccount("Hedy Lamarr"));
  const menu = page.getByRole("button", { name: "Open navigation" });
  await expect(menu).toBeVisible();
  await menu.click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Open navigation" })).toBeVisible();
  await snap(page, "mobile-account");
  await page.goto("/status");
  await expect(page.getByTestId("overall-status")).toBeVisible();
  await snap(page, "mobile-status");
});

test("an unknown address shows a helpful 404", async ({ page }) => {
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "This page doesn't exist" })).toBeVisible();
  await snap(page, "not-found", { fullPage: false });
});

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
]) {
  test(`the landing page at ${viewport.width} px: an uncramped header, and what works today apart from what is coming`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Stay in sync");
    expect(await scrollsSideways(page)).toBe(false);

    // Each item in the header keeps at least 8 px from the next, the wordmark included.
    const header = page.getByRole("banner");
    const items = [];
    for (const item of [
      header.getByRole("link", { name: "Pulse home" }),
      header.getByRole("radiogroup", { name: "Colour theme" }),
      header.getByRole("link", { name: "Sign in" }),
      header.getByRole("link", { name: "Get started" }),
    ])
      if (await item.isVisible()) items.push(item);
    const boxes = [];
    for (const item of items) boxes.push((await item.boundingBox())!);
    expect(boxes.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.x - (boxes[i - 1]!.x + boxes[i - 1]!.width)).toBeGreaterThanOrEqual(8);
    // The theme can be chosen at either width (in the footer on a phone).
    await expect(page.getByRole("radiogroup", { name: "Colour theme" })).toBeVisible();

    const today = page.getByRole("region", { name: "Works today" });
    await expect(today.getByRole("heading", { level: 3 })).toHaveText([
      "Live group sessions",
      "Chat with Claude",
      "Documents in the background",
      "Live status and analytics",
      "Typed from end to end",
      "Load tests from the browser",
      "Safe to run",
    ]);
    // Everything the landing page offers is built: nothing says "coming soon".
    await expect(page.getByRole("region", { name: "Coming next" })).toHaveCount(0);
    await expect(page.getByText("Coming soon")).toHaveCount(0);
    await snap(page, `landing-${viewport.width}`);
  });
}
