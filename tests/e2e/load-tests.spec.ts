/**
 * The Load tests page against the real generator: an admin starts an http-read run from the form,
 * watches its figures and charts move, reads its grade, stops a second run, and opens a later
 * run's detail to see it compared with the one before and to export it; a member is refused.
 */
import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, newAccount, newDevice, scrollsSideways, signInAsAdmin, signUp, snap } from "./support";

/** Fills the form and starts a run; returns its id once the live panel shows it. */
async function startRun(page: Page, { connections, durationS }: { connections: number; durationS: number }): Promise<string> {
  const form = page.getByTestId("lt-start-form");
  await form.getByRole("radio", { name: "HTTP reads" }).check();
  await form.getByLabel("Connections").fill(String(connections));
  await form.getByLabel("Duration (s)").fill(String(durationS));
  await form.getByLabel("Rate per second (optional)").fill("");
  const start = form.getByRole("button", { name: "Start load test" });
  // Enabled again once the previous run has ended and the page knows it.
  await expect(start).toBeEnabled({ timeout: 20_000 });
  await start.click();
  const live = page.getByTestId("lt-live");
  await expect(live).toHaveAttribute("data-status", "running");
  const runId = await live.getAttribute("data-run-id");
  expect(runId).toMatch(/^[0-9a-f-]{36}$/);
  return runId!;
}

/** The elements that reach past the viewport's right edge, for the failure message. */
async function widest(page: Page): Promise<string> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} → ${Math.round(el.getBoundingClientRect().right)}`)
      .join("; ");
  });
}

/** Starts a run over HTTP with the page's cookie, as another tab would; returns its id. */
async function startElsewhere(page: Page, input: { scenario: string; connections: number; durationS: number }): Promise<string> {
  const response = await page.request.post("/api/trpc/loadTest.start", { data: { json: input } });
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { result: { data: { json: { runId: string } } } };
  return body.result.data.json.runId;
}

/** Waits until the live requests/s tile shows more than zero. */
async function expectTraffic(page: Page): Promise<void> {
  const rps = page.getByTestId("lt-tile-rps-value");
  await expect.poll(async () => Number(((await rps.textContent()) ?? "0").replace(/[^\d.]/g, "")), { timeout: 30_000 }).toBeGreaterThan(0);
}

test("an admin runs a load test, watches it live, stops another and compares runs", async ({ page }) => {
  // Three runs of a few seconds each, plus the generator's start-up, on a busy two-core machine.
  test.setTimeout(240_000);
  await signInAsAdmin(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Load tests/ }).click();
  await expect(page).toHaveURL(/\/load-tests$/);
  await expect(page.getByRole("heading", { level: 1, name: "Load tests" })).toBeVisible();
  await expect(page.getByTestId("lt-target")).toContainText(/Load goes to http:\/\/\S+ \(Pulse itself\)/);

  // The bounds are checked before anything is sent.
  const form = page.getByTestId("lt-start-form");
  await form.getByLabel("Connections").fill("0");
  await form.getByLabel("Duration (s)").fill("301");
  await form.getByRole("button", { name: "Start load test" }).click();
  await expect(form.getByText("Connections is at least 1.")).toBeVisible();
  await expect(form.getByText("Duration is at most 300.")).toBeVisible();
  await expect(form.getByLabel("Connections")).toHaveAttribute("aria-invalid", "true");

  // How runs are graded: folded away until asked for.
  const grading = page.getByTestId("lt-grading");
  await grading.getByText("How runs are graded").click();
  await expect(grading.getByRole("table")).toBeVisible();
  await expect(grading.getByRole("row")).toHaveCount(5);
  await snap(page, "load-tests-form");

  // Run 1: 5 connections for 4 seconds, live figures and charts, then its grade.
  const first = await startRun(page, { connections: 5, durationS: 4 });
  await expectTraffic(page);
  const requestsChart = page.getByTestId("lt-chart-requests");
  await expect(requestsChart.locator("canvas")).toBeVisible();
  await expect.poll(async () => Number(await requestsChart.getAttribute("data-points")), { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(page.getByRole("progressbar", { name: "Elapsed time" })).toBeVisible();
  await snap(page, "load-tests-live");
  const live = page.getByTestId("lt-live");
  await expect(page.getByTestId("lt-live-status")).toHaveText("Completed", { timeout: 60_000 });
  await expect(live.getByTestId("lt-grade")).toHaveText(/^[A-F]$/);
  await expect(live.getByTestId("lt-histogram")).toBeVisible();
  const history = page.getByTestId("lt-history");
  const firstRow = history.locator(`tr[data-run-id="${first}"]`);
  await expect(firstRow.getByTestId("lt-history-status")).toHaveText("Completed");
  await expect(firstRow.getByTestId("lt-history-grade")).toHaveText(/^[A-F]$/);
  await snap(page, "load-tests-result");
  await live.getByRole("button", { name: "Close the run's result" }).click();
  await expect(live).toHaveCount(0);

  // Run 2, started elsewhere (another tab, another admin) while this page still offers the form:
  // the server refuses ours with CONFLICT, said in words, and the page follows the run that won.
  const second = await startElsewhere(page, { scenario: "http-read", connections: 5, durationS: 60 });
  await form.getByRole("button", { name: "Start load test" }).click();
  await expect(form.getByRole("alert")).toContainText("A run is already in progress");
  await expect(form.getByRole("alert")).toContainText("already running");
  await expect(page.getByTestId("lt-live")).toHaveAttribute("data-run-id", second);
  await expectTraffic(page);
  await expect(form.getByRole("button", { name: "Start load test" })).toBeDisabled();
  await page.getByTestId("lt-live").getByRole("button", { name: "Stop" }).click();
  await expect(page.getByTestId("lt-live-status")).toHaveText("Stopped", { timeout: 20_000 });
  await expect(history.locator(`tr[data-run-id="${second}"]`).getByTestId("lt-history-status")).toHaveText("Stopped");
  // The refusal was about that run: gone with it.
  await expect(form.getByRole("alert")).toBeEmpty();
  await page.getByTestId("lt-live").getByRole("button", { name: "Close the run's result" }).click();

  // Run 3: completes, so it is compared with the last finished run of its scenario.
  const third = await startRun(page, { connections: 5, durationS: 3 });
  await expect(page.getByTestId("lt-live-status")).toHaveText("Completed", { timeout: 60_000 });
  await expect(page.getByTestId("lt-live").getByTestId("lt-comparison")).toBeVisible();

  // The first run, opened from the history: its own result, first of its kind here.
  await firstRow.getByRole("button", { name: /^Open the run of/ }).click();
  const detail = page.getByTestId("lt-detail");
  await expect(detail).toHaveAttribute("data-run-id", first);
  await expect(detail.getByTestId("lt-grade")).toHaveText(/^[A-F]$/);
  await expect(detail.getByTestId("lt-latency")).toContainText("p99");

  // The third, by clicking its row: compared with a run before it, changes coloured by verdict.
  await history.locator(`tr[data-run-id="${third}"]`).getByRole("cell").nth(2).click();
  await expect(detail).toHaveAttribute("data-run-id", third);
  const comparison = detail.getByTestId("lt-comparison");
  await expect(comparison).toBeVisible();
  await expect(comparison.getByRole("row")).toHaveCount(6);
  await expect(comparison.getByTestId("lt-compare-p99")).toHaveAttribute("data-verdict", /^(better|worse|same)$/);

  // Exports: JSON from the page itself, CSV made by a background job and then downloaded.
  const [json] = await Promise.all([page.waitForEvent("download"), detail.getByRole("button", { name: "Export as JSON" }).click()]);
  expect(json.suggestedFilename()).toBe(`load-test-${third}.json`);
  const saved = JSON.parse(await readFile((await json.path())!, "utf8")) as { id: string; result: { grade: string } };
  expect(saved.id).toBe(third);
  expect(saved.result.grade).toMatch(/^[A-F]$/);
  const [csv] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), detail.getByRole("button", { name: "Export as CSV" }).click()]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  expect((await readFile((await csv.path())!, "utf8")).split("\n").length).toBeGreaterThan(1);
  await expect(detail.getByTestId("lt-export-csv")).toHaveAttribute("data-state", "ready");
  await snap(page, "load-tests-detail");
  await expectAccessible(page, "load tests, a run's result and detail");

  // On a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await scrollsSideways(page), await widest(page)).toBe(false);
  await snap(page, "load-tests-mobile");
  await expectAccessible(page, "load tests on a phone");
});

test("a member sees that load tests are for admins, not the form", async ({ page, browser, baseURL }) => {
  // The first account of a fresh database is an admin: make sure it is not this one, when this test runs alone.
  const admin = await newDevice(browser, baseURL);
  await signInAsAdmin(admin.page);
  await admin.context.close();
  await signUp(page, newAccount("Mo Member"));
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Load tests/ })).toHaveCount(0);
  await page.goto("/load-tests");
  await expect(page.getByRole("heading", { level: 1, name: "Load tests" })).toBeVisible();
  await expect(page.getByText("Admins only")).toBeVisible();
  await expect(page.getByTestId("lt-start-form")).toHaveCount(0);
});
