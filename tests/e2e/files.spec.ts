import { readFile } from "node:fs/promises";
import { expect, request as playwrightRequest, test, type Page } from "@playwright/test";
import { newAccount, scrollsSideways, signUp, snap } from "./support";

const row = (page: Page, name: RegExp) => page.getByTestId("file-row").filter({ hasText: name });

async function downloadText(page: Page, name: RegExp): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download"), row(page, name).getByRole("link", { name: /^Download/ }).click()]);
  return (await readFile((await download.path())!)).toString("latin1");
}

test("a PDF from the example report: progress live, then download, share with a link and revoke it", async ({ page, baseURL }) => {
  await signUp(page, newAccount("Marie Curie"));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Files" }).click();
  await expect(page).toHaveURL(/\/files$/);
  await expect(page.getByRole("heading", { level: 1, name: "Files" })).toBeVisible();
  await expect(page.getByText("No files yet")).toBeVisible();
  await expect(page.getByTestId("usage")).toHaveText(/^0 bytes of 200 MB used · 0 files$/);

  // The form starts with the example report, PDF selected.
  await expect(page.getByRole("radio", { name: /PDF/ }).first()).toBeChecked();
  await expect(page.getByLabel("Title")).toHaveValue("Quarterly wellbeing report");
  await page.getByLabel("Author").fill("Marie Curie");
  await page.getByRole("button", { name: "Generate PDF" }).click();

  // It appears at once and turns ready without a reload (the job's updates arrive over the socket).
  const report = row(page, /Quarterly-wellbeing-report\.pdf/);
  await expect(report).toBeVisible();
  await expect(report).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  await expect(report).toContainText(/PDF document · \d+(\.\d)? KB · just now/);
  await expect(page.getByTestId("usage")).toHaveText(/KB of 200 MB used · 1 file$/);

  const pdf = await downloadText(page, /Quarterly-wellbeing-report\.pdf/);
  expect(pdf.startsWith("%PDF-")).toBe(true);

  // A link that works without signing in, until it is revoked.
  await report.getByRole("button", { name: /^Share .* with a link$/ }).click();
  await report.getByRole("button", { name: "Create link" }).click();
  const linkField = report.getByRole("textbox", { name: /^Link to / });
  await expect(linkField).toHaveValue(/\/api\/files\/[0-9a-f-]+\/download\?/);
  const url = await linkField.inputValue();
  const stranger = await playwrightRequest.newContext({ baseURL });
  const shared = await stranger.get(url);
  expect(shared.status()).toBe(200);
  expect((await shared.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await snap(page, "files");
  await report.getByRole("button", { name: "Revoke" }).click();
  await expect(report.getByRole("button", { name: "Create link" })).toBeVisible();
  expect((await stranger.get(url)).status()).toBe(404);
  await stranger.dispose();
});

test("Word, CSV and screenshot forms: mistakes named before sending, private addresses refused, files made and deleted", async ({ page, baseURL }) => {
  await signUp(page, newAccount("Rosalind Franklin"));
  await page.goto("/files");
  await expect(page.getByRole("heading", { level: 1, name: "Files" })).toBeVisible();

  // Word: a ragged table row is caught in the browser, with the section and row named.
  await page.locator("label").filter({ hasText: "Word" }).click();
  const table = page.getByLabel("Table").nth(1);
  await table.fill("Kind,Sessions,Minutes\nMeditation,41\n");
  await page.getByRole("button", { name: "Generate Word" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Section 2: row 2 of the table has 2 cells; the header has 3." })).toBeVisible();
  await table.fill("Kind,Sessions,Minutes\nMeditation,41,14\n");
  await page.getByRole("button", { name: "Generate Word" }).click();
  await expect(row(page, /\.docx/)).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  expect((await downloadText(page, /\.docx/)).startsWith("PK")).toBe(true);

  // CSV from pasted rows; a formula-looking cell is neutralised.
  await page.locator("label").filter({ hasText: "CSV" }).click();
  await page.getByRole("button", { name: "Paste rows" }).click();
  await page.getByRole("textbox", { name: "Rows" }).fill("name\tscore\nAda\t92\n=1+1\t3");
  await page.getByRole("button", { name: "Generate CSV" }).click();
  await expect(row(page, /table-\d{4}-\d\d-\d\d\.csv/)).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  const csv = await downloadText(page, /table-\d{4}-\d\d-\d\d\.csv/);
  expect(csv.replace(/^\uFEFF|^\xEF\xBB\xBF/, "").split(/\r?\n/).filter(Boolean)).toEqual(["name,score", "Ada,92", "'=1+1,3"]);

  // Screenshot: a private address is refused with words; the app's own page (allowed for tests) is shot.
  await page.locator("label").filter({ hasText: "Screenshot" }).click();
  await page.getByLabel("Page address").fill("http://169.254.169.254/latest/meta-data/");
  await page.getByRole("button", { name: "Generate Screenshot" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /private network/ })).toBeVisible();
  await page.getByLabel("Page address").fill(`${baseURL}/sign-in`);
  await page.getByRole("button", { name: "Phone" }).click();
  await expect(page.getByLabel("Width (px)")).toHaveValue("390");
  await page.getByRole("button", { name: "Generate Screenshot" }).click();
  const shot = row(page, /\.png/);
  await expect(shot).toHaveAttribute("data-status", "ready", { timeout: 45_000 });
  const thumbnail = shot.locator("img");
  await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(390);
  await expect(shot.getByRole("link", { name: /^Preview / })).toHaveAttribute("href", /\?inline=1$/);

  await expect(page.getByTestId("file-row")).toHaveCount(3);
  await page.getByRole("button", { name: "CSV", exact: true }).click();
  await expect(page.getByTestId("file-row")).toHaveCount(1);
  await page.getByRole("button", { name: "All", exact: true }).click();
  await expect(page.getByTestId("file-row")).toHaveCount(3);

  // Delete takes a second click, then the file is gone.
  await row(page, /\.docx/).getByRole("button", { name: /^Delete / }).click();
  await row(page, /\.docx/).getByRole("button", { name: /^Confirm: Delete / }).click();
  await expect(page.getByTestId("file-row")).toHaveCount(2);
  await expect(page.getByTestId("usage")).toHaveText(/ · 2 files$/);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(200);
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, "mobile-files");
});
