/**
 * The Jobs page: jobs made through the API (as the Files page will) appear and progress live,
 * without a reload; a running capture is cancelled and retried; a failing one says when it
 * retries; the status and type filters; a phone's width.
 *
 * A capture that stays "running" exactly as long as the test wants: a screenshot of a page on
 * loopback (SCREENSHOT_ALLOW_HOSTS in playwright.config.ts) served by this test, which holds
 * its responses until released.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { newAccount, scrollsSideways, signUp, snap } from "./support";

test.describe.configure({ mode: "serial" });

const SLOW_PAGE = "<!doctype html><html><head><title>Slow report</title></head><body><h1>Quarterly numbers</h1><p>Here at last.</p></body></html>";

/** A page that answers only once `release()` is called. */
async function heldPage() {
  let released = false;
  const held = new Set<http.ServerResponse>();
  const answer = (res: http.ServerResponse) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(SLOW_PAGE);
  const server = http.createServer((_req, res) => {
    if (released) return answer(res);
    held.add(res);
    res.on("close", () => held.delete(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/report`,
    release() {
      released = true;
      for (const res of held) answer(res);
      held.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port nobody listens on: an https capture of it fails at once (the tunnel is refused). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** files.create as the page's signed-in user (its cookie); the id of the job that makes the file. */
async function createFile(page: Page, input: Record<string, unknown>): Promise<string> {
  const response = await page.request.post("/api/trpc/files.create", { data: { json: input } });
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { result: { data: { json: { job: { id: string } } } } };
  return body.result.data.json.job.id;
}

const jobCard = (page: Page, jobId: string) => page.locator(`[data-testid="job"][data-job-id="${jobId}"]`);
/** The status badge of a job's card. */
const badge = (card: Locator) => card.locator("span[data-status]");
const short = (jobId: string) => jobId.slice(0, 8);

async function openJobs(page: Page) {
  await page.goto("/jobs");
  await expect(page.getByRole("heading", { level: 1, name: "Jobs" })).toBeVisible();
  await expect(page.getByRole("main").getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  // Set once: still there at the end means the page was never reloaded.
  await page.evaluate(() => Object.assign(window, { jobsPageMark: true }));
}

const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { jobsPageMark?: boolean }).jobsPageMark === true);

test("jobs appear and finish live; a running capture is cancelled, retried and finishes; filters", async ({ page }) => {
  await signUp(page, newAccount("Jo Jobs"));
  await openJobs(page);
  await expect(page.getByText("No jobs yet")).toBeVisible();
  await snap(page, "jobs-empty", { fullPage: false });

  // A CSV from rows: it appears and reaches Done without a reload.
  const csv = await createFile(page, { kind: "csv", rows: [["city", "visits"], ["Lisbon", "12"], ["Oslo", "7"]] });
  const csvCard = jobCard(page, csv);
  await expect(csvCard).toBeVisible();
  await expect(csvCard.getByRole("heading", { name: `CSV table job ${short(csv)}` })).toBeVisible();
  await expect(badge(csvCard)).toHaveText("Done", { timeout: 20_000 });
  await expect(csvCard.getByText(/^Ready: \d+ bytes$/)).toBeVisible();
  await expect(csvCard.getByRole("link", { name: `Download the file of job ${short(csv)}` })).toHaveAttribute("href", /\/api\/files\/[0-9a-f-]{36}\/download$/);
  await expect(csvCard.getByRole("link", { name: "Open file" })).toHaveAttribute("href", /^\/files#file-[0-9a-f-]{36}$/);
  await expect(csvCard.getByTestId("job-attempts")).toHaveText("Attempt 1 of 3");

  // A screenshot of a page that does not answer yet: it runs, live, until cancelled.
  const slow = await heldPage();
  try {
    const shot = await createFile(page, { kind: "screenshot", url: slow.url, priority: "high" });
    const shotCard = jobCard(page, shot);
    await expect(badge(shotCard)).toHaveText("Running", { timeout: 20_000 });
    await expect(shotCard.getByTestId("job-priority")).toHaveText("High priority");
    const bar = shotCard.getByRole("progressbar", { name: `Progress of job ${short(shot)}` });
    await expect(bar).toHaveAttribute("aria-valuetext", /^15%: Opening the page$/);
    await expect(shotCard.getByRole("button", { name: `Retry job ${short(shot)}` })).toHaveCount(0);
    await snap(page, "jobs-running");

    await shotCard.getByRole("button", { name: `Cancel job ${short(shot)}` }).click();
    await expect(badge(shotCard)).toHaveText("Cancelled");
    await expect(bar).toHaveCount(0);
    await expect(shotCard.getByRole("button", { name: `Cancel job ${short(shot)}` })).toHaveCount(0);

    // Retry: it runs again (attempts start over), and finishes once the page answers.
    await shotCard.getByRole("button", { name: `Retry job ${short(shot)}` }).click();
    await expect(badge(shotCard)).toHaveText(/Queued|Running/);
    await expect(badge(shotCard)).toHaveText("Running", { timeout: 20_000 });
    await expect(shotCard.getByTestId("job-attempts")).toHaveText("Attempt 1 of 3");
    slow.release();
    await expect(badge(shotCard)).toHaveText("Done", { timeout: 30_000 });
    await expect(shotCard.getByRole("link", { name: `Download the file of job ${short(shot)}` })).toBeVisible();
  } finally {
    slow.release();
    await slow.close();
  }

  // A PDF whose image is no PNG fails at once, for good: its error is shown, Retry is offered.
  const pdf = await createFile(page, {
    kind: "pdf",
    document: { title: "Broken figure", sections: [{ heading: "Results", paragraphs: ["See the chart."], image: { dataUrl: "data:image/png;base64,AAAAAAAA" } }] },
  });
  const pdfCard = jobCard(page, pdf);
  await expect(badge(pdfCard)).toHaveText("Failed", { timeout: 20_000 });
  await expect(pdfCard.getByText("The image of section 1 is not a readable PNG.")).toBeVisible();
  await expect(pdfCard.getByRole("button", { name: `Retry job ${short(pdf)}` })).toBeVisible();
  await expect(pdfCard.getByRole("link", { name: /Download/ })).toHaveCount(0);
  expect(await notReloaded(page)).toBe(true);
  await snap(page, "jobs-list");

  // Filters: by status, then by type.
  const statuses = page.getByRole("group", { name: "Status" });
  const cards = page.getByTestId("job");
  await statuses.getByRole("button", { name: "Failed" }).click();
  await expect(statuses.getByRole("button", { name: "Failed" })).toHaveAttribute("aria-pressed", "true");
  await expect(cards).toHaveCount(1);
  await expect(jobCard(page, pdf)).toBeVisible();
  await expect(page.getByTestId("job-count")).toHaveText("1 job matches");
  await snap(page, "jobs-filter-failed", { fullPage: false });

  await statuses.getByRole("button", { name: "Done" }).click();
  await expect(cards).toHaveCount(2);
  await expect(jobCard(page, csv)).toBeVisible();
  await expect(page.locator('[data-testid="job"]:not([data-status="succeeded"])')).toHaveCount(0);

  await page.getByLabel("Type").selectOption({ label: "Screenshot" });
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toHaveAttribute("data-job-id", /.+/);
  await expect(cards.first().getByRole("heading")).toHaveText(/^Screenshot/);

  await statuses.getByRole("button", { name: "Cancelled" }).click();
  await expect(page.getByText("No jobs match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(cards).toHaveCount(3);
  await expect(page.getByLabel("Type")).toHaveValue("");

  // A phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(cards).toHaveCount(3);
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, "jobs-phone");
});

test("a capture that cannot reach its page says when it retries, then fails with the reason", async ({ page }) => {
  await signUp(page, newAccount("Rae Retry"));
  await openJobs(page);
  const port = await closedPort();
  const job = await createFile(page, { kind: "screenshot", url: `https://127.0.0.1:${port}/` });
  const card = jobCard(page, job);
  // Attempt 1 fails at once; the next is 2 s later, the last 4 s after that.
  await expect(card.getByTestId("job-retrying")).toHaveText(/^Retrying in \d+ s$/, { timeout: 20_000 });
  await expect(card.getByTestId("job-last-error")).toContainText("could not be reached");
  await snap(page, "jobs-retrying", { fullPage: false });
  await expect(badge(card)).toHaveText("Failed", { timeout: 30_000 });
  await expect(card.getByTestId("job-attempts")).toHaveText("Attempt 3 of 3");
  await expect(card.getByText(/could not be reached/)).toBeVisible();
  await expect(card.getByTestId("job-retrying")).toHaveCount(0);
  expect(await notReloaded(page)).toBe(true);
});
