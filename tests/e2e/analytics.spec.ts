/**
 * The Analytics page against the real measurements: an admin sees live figures move, charts
 * drawn, procedures listed with percentiles, a filtered request log and an error group with
 * the id of the request that failed; a member sees only their own use, and the page asks the
 * server for nothing that is admin-only.
 */
import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { newAccount, signInAsAdmin, signUp, snap } from "./support";

/** A call that is refused (NOT_FOUND: no such session), made with our own request id. */
async function failingCall(page: Page, requestId?: string): Promise<void> {
  const input = encodeURIComponent(JSON.stringify({ json: { sessionId: randomUUID() } }));
  const response = await page.request.get(`/api/trpc/sessions.byId?input=${input}`, { headers: requestId ? { "X-Request-Id": requestId } : {} });
  expect(response.status()).toBe(404);
  if (requestId) expect(response.headers()["x-request-id"]).toBe(requestId);
}

async function pings(page: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const response = await page.request.get("/api/trpc/health.ping");
    expect(response.ok()).toBe(true);
  }
}

/** Clicks the request log's Refresh until it shows a row that matches (rows arrive with a flush, every few seconds). */
async function waitForRow(page: Page, selector: string): Promise<void> {
  const log = page.getByTestId("request-log");
  await expect
    .poll(
      async () => {
        if ((await log.locator(selector).count()) > 0) return true;
        await log.getByRole("button", { name: "Refresh" }).click();
        return false;
      },
      { timeout: 30_000, intervals: [1_000] },
    )
    .toBe(true);
}

test("an admin watches traffic live, sorts procedures, filters requests and opens an error", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAsAdmin(page);
  const requestId = `e2e-${randomUUID()}`;
  // The top errors list the 20 most frequent groups: after the rest of the suite, a group seen
  // once could be past them. The same failure (another missing session each time: one group) a
  // few dozen times keeps ours near the top; the last occurrence carries the id we look for.
  for (let i = 0; i < 24; i++) await failingCall(page);
  await failingCall(page, requestId);
  await pings(page, 5);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Analytics/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();

  // Live tiles: a snapshot a second, and the figures move with the traffic we make.
  const value = page.getByTestId("tile-requests-value");
  await expect(value).toHaveText(/\d/);
  const firstAt = await page.getByTestId("live-at").textContent();
  const firstValue = await value.textContent();
  await expect(page.getByTestId("live-at")).not.toHaveText(firstAt ?? "", { timeout: 10_000 });
  await expect
    .poll(
      async () => {
        await pings(page, 10);
        return value.textContent();
      },
      { timeout: 30_000 },
    )
    .not.toBe(firstValue);

  // Charts: a canvas drawn from the stored buckets and the live seconds.
  const requestsChart = page.getByTestId("chart-requests");
  await expect(requestsChart.locator("canvas")).toBeVisible();
  await expect.poll(async () => Number(await requestsChart.getAttribute("data-points")), { timeout: 20_000 }).toBeGreaterThan(0);
  const box = await requestsChart.locator("canvas").boundingBox();
  expect(box!.width).toBeGreaterThan(200);
  await expect(requestsChart).toHaveAccessibleName("Requests per second");

  // The slowest procedures: tRPC routes with their percentiles, sortable (by calls: the pings lead).
  const routes = page.getByTestId("slowest-routes");
  await expect(routes.locator('tr[data-route^="trpc:"]').first()).toBeVisible({ timeout: 20_000 });
  await expect(routes.getByRole("columnheader", { name: /p95/ })).toHaveAttribute("aria-sort", "descending");
  const p95s = await routes.locator("tbody tr td:nth-child(5)").allTextContents();
  expect(p95s.length).toBeGreaterThan(1);
  await routes.getByRole("button", { name: /^Calls/ }).click();
  await expect(routes.getByRole("columnheader", { name: /Calls/ })).toHaveAttribute("aria-sort", "descending");
  // After the whole suite, pages and assets outnumber our pings: the ping may be past the first ten rows.
  const showAll = routes.getByRole("button", { name: /^Show all/ });
  if (await showAll.isVisible()) await showAll.click();
  await expect(routes.locator('tr[data-route="trpc:health.ping"]')).toBeVisible({ timeout: 20_000 });
  const calls = await routes.locator("tbody tr td:nth-child(2)").allTextContents();
  const numbers = calls.map((c) => Number(c.replace(/,/g, "")));
  expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
  // The ping's row: calls counted, percentiles in milliseconds.
  await expect(routes.locator('tr[data-route="trpc:health.ping"]')).toContainText(/\d+(\.\d+)? ms/);

  // The request log: every kind of request at first; "4xx" leaves only refused ones, ours among them.
  const log = page.getByTestId("request-log");
  await waitForRow(page, 'tr[data-status^="2"]');
  await log.getByRole("button", { name: "4xx", exact: true }).click();
  await expect(log.getByRole("button", { name: "4xx", exact: true })).toHaveAttribute("aria-pressed", "true");
  await waitForRow(page, 'tr[data-path="sessions.byId"]');
  await expect(log.locator('tr[data-status^="2"]')).toHaveCount(0);
  const statuses = await log.getByTestId("request-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status")));
  expect(statuses.length).toBeGreaterThan(0);
  for (const status of statuses) expect(status).toMatch(/^4\d\d$/);
  await log.getByRole("searchbox", { name: "Path contains" }).fill("sessions.byId");
  await expect(log.getByTestId("request-row").first()).toHaveAttribute("data-path", "sessions.byId");
  await expect
    .poll(() => log.getByTestId("request-row").evaluateAll((rows) => rows.every((r) => r.getAttribute("data-path")?.includes("sessions.byId"))))
    .toBe(true);

  // Top errors: the NOT_FOUND group, opened, names the request that failed last.
  const errors = page.getByTestId("top-errors");
  const group = errors.getByTestId("error-group").filter({ hasText: "sessions.byId" }).filter({ hasText: "NOT_FOUND" });
  await expect(group).toBeVisible({ timeout: 20_000 });
  await group.getByRole("button").first().click();
  await expect(group.getByRole("button").first()).toHaveAttribute("aria-expanded", "true");
  await expect(group.getByTestId("error-last-request-id")).toHaveText(requestId);
  await expect(group.getByRole("button", { name: "Copy id" })).toBeVisible();

  await expect(page.getByTestId("instances").getByTestId("instance-row")).toHaveCount(1);
  await snap(page, "analytics-admin-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(requestsChart.locator("canvas")).toBeVisible();
  await snap(page, "analytics-admin-390");
});

test("a member sees their own usage and requests, and nothing admin-only is asked for", async ({ page }) => {
  const asked: string[] = [];
  page.on("request", (request) => asked.push(request.url()));
  page.on("websocket", (socket) => socket.on("framesent", (frame) => asked.push(String(frame.payload))));

  await signUp(page, newAccount("Mo Member"));
  const requestId = `e2e-${randomUUID()}`;
  // The top errors list the 20 most frequent groups: after the rest of the suite, a group seen
  // once could be past them. The same failure (another missing session each time: one group) a
  // few dozen times keeps ours near the top; the last occurrence carries the id we look for.
  for (let i = 0; i < 24; i++) await failingCall(page);
  await failingCall(page, requestId);
  await page.goto("/analytics");
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Your usage" })).toBeVisible();
  await expect(page.getByTestId("usage-requests")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your recent requests" })).toBeVisible();
  await waitForRow(page, 'tr[data-path="sessions.byId"]');
  await expect(page.getByRole("heading", { name: "Your errors" })).toBeVisible();

  // No admin panels, and no admin-only procedure was called (it would be refused).
  await expect(page.getByTestId("tile-requests")).toHaveCount(0);
  await expect(page.getByTestId("slowest-routes")).toHaveCount(0);
  await expect(page.getByTestId("instances")).toHaveCount(0);
  await expect(page.getByTestId("chart-requests")).toHaveCount(0);
  expect(asked.some((a) => a.includes("analytics.summary"))).toBe(true);
  for (const adminOnly of ["analytics.performance", "analytics.system", "analytics.live"]) {
    expect(asked.filter((a) => a.includes(adminOnly)), adminOnly).toEqual([]);
  }
  await snap(page, "analytics-member-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await snap(page, "analytics-member-390");
});
