import { expect, test } from "@playwright/test";
import { newAccount, signUp, snap } from "./support";

test("the status page shows live health, updating on its own", async ({ page }) => {
  await signUp(page, newAccount());
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Status" }).click();
  await expect(page).toHaveURL(/\/status$/);
  await expect(page.getByRole("heading", { level: 1, name: "System status" })).toBeVisible();

  // The overall verdict and score, from the first snapshot over the WebSocket.
  await expect(page.getByTestId("overall-status")).toHaveText(/All systems operational|degraded|problems/);
  await expect(page.getByTestId("health-score")).toHaveText(/^\d{1,3}$/);
  await expect(page.getByRole("main").getByRole("status").filter({ hasText: /^\s*Live\s*$/ })).toBeVisible();

  // One card per check, each with a verdict and a detail.
  for (const check of ["Database", "Migrations", "Event loop", "Memory", "Realtime connections", "Error rate"]) {
    const card = page.getByRole("region", { name: check });
    await expect(card).toBeVisible();
    await expect(card).toContainText(/Operational|Degraded|Unhealthy/);
  }
  await expect(page.getByRole("region", { name: "Migrations" })).toContainText("all applied");
  await expect(page.getByRole("region", { name: "Realtime connections" })).toContainText(/\d+ open/);

  // A new snapshot arrives every two seconds without reloading: the snapshot time moves on.
  const time = page.getByTestId("snapshot-time");
  const first = await time.textContent();
  await expect.poll(async () => time.textContent(), { timeout: 8_000 }).not.toBe(first);
  const second = await time.textContent();
  await expect.poll(async () => time.textContent(), { timeout: 8_000 }).not.toBe(second);
  await expect(page.getByTestId("last-updated")).toContainText(/just now|\d+ s ago/);

  // Let the sparklines gather a few points before the picture.
  await page.waitForTimeout(4_500);
  await snap(page, "status");
});
