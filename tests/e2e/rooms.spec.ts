/**
 * What people see in the rooms and the list, at a desk's width (1280) and a phone's (390): a
 * meditation at 0:00, a stress check-in below and at its minimum group size, what the breathing
 * guide announces, the create dialog's refusal, and the list's count.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { createSession, mutateAs, newAccount, scrollsSideways, signUp, snap } from "./support";

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

// Two or three browsers each, signing up and joining: more than the default minute on a busy machine.
test.describe.configure({ timeout: 120_000 });

/** Another person, in their own browser at the same width, signed up. */
async function another(browser: Browser, baseURL: string | undefined, viewport: { width: number; height: number }, name: string) {
  const context = await browser.newContext({ baseURL, viewport, locale: "en-GB", timezoneId: "UTC" });
  const page = await context.newPage();
  await signUp(page, newAccount(name));
  return { context, page };
}

async function joinRoom(page: Page, id: string, title: string) {
  await page.goto(`/sessions/${id}`);
  await page.getByRole("button", { name: "Join session" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId("room-connection")).toHaveText("Connected");
}

/** The room's status pill, under its title. */
const pill = (page: Page) => page.getByTestId("room-header").getByTestId("session-status");

for (const viewport of VIEWPORTS) {
  const w = viewport.width;

  test(`meditation at ${w} px: the next bell before the start, and at 0:00 the pill says Complete and the host's next step is End`, async ({
    page,
    browser,
    baseURL,
  }) => {
    await page.setViewportSize(viewport);
    // The countdown is derived from server time: this browser's clock (faked, still running) is
    // moved past the end below, as if a minute had gone by since its last clock sync.
    await page.clock.install();
    await signUp(page, newAccount("Thich Host"));
    const title = `One-minute sit ${w}`;
    const id = await createSession(page, { kind: "meditation", title, config: { durationMs: 60_000, bellIntervalMs: 30_000 } });
    await page.goto(`/sessions/${id}`);
    await expect(page.getByTestId("room-connection")).toHaveText("Connected");
    await expect(page.getByTestId("countdown")).toHaveText("1:00");
    await expect(page.getByTestId("next-bell")).toHaveText("30 s after the start");

    const guest = await another(browser, baseURL, viewport, "Sit Guest");
    await guest.page.clock.install();
    await joinRoom(guest.page, id, title);

    await page.getByRole("button", { name: "Start session" }).click();
    await expect(pill(page)).toHaveText("Live");
    await expect(page.getByTestId("next-bell")).toHaveText(/^in 0:(2\d|30)$/);
    await expect(page.getByRole("button", { name: "Pause" })).toBeVisible();
    await expect(pill(guest.page)).toHaveText("Live");

    const later = Date.now() + 61_000;
    await page.clock.setSystemTime(later);
    await guest.page.clock.setSystemTime(later);
    for (const p of [page, guest.page]) {
      await expect(p.getByTestId("countdown")).toHaveText("0:00");
      await expect(pill(p)).toHaveText("Complete");
      await expect(p.getByTestId("next-bell")).toHaveText("—");
    }
    const host = page.getByRole("region", { name: "Host controls" });
    await expect(host.getByRole("button", { name: "Pause" })).toHaveCount(0);
    await expect(page.getByTestId("host-hint")).toHaveText(/^The sit is complete\. End the session/);
    expect(await scrollsSideways(page)).toBe(false);
    await snap(page, `meditation-complete-${w}`);

    // The list says so too (this browser's clock is past the end as well).
    await guest.page.getByRole("link", { name: "All sessions" }).click();
    await expect(guest.page.getByTestId("session-card").filter({ hasText: title }).getByTestId("session-status")).toHaveText("Complete");

    // One click ends it for everyone; the empty chat no longer invites a hello.
    await host.getByRole("button", { name: "End session" }).click();
    await expect(pill(page)).toHaveText("Ended");
    await expect(page.getByRole("region", { name: "Chat" })).toContainText("No messages · the chat closed with the session.");
    await expect(page.getByText("Say hello to the room.")).toHaveCount(0);
    await guest.context.close();
  });

  test(`stress check-in at ${w} px: with two check-ins nobody sees a level; the third shows the group's picture`, async ({ page, browser, baseURL }) => {
    await page.setViewportSize(viewport);
    await signUp(page, newAccount("Circle Host"));
    const title = `Small circle ${w}`;
    const id = await createSession(page, { kind: "stress", title });
    await page.goto(`/sessions/${id}`);
    const panel = page.getByRole("region", { name: "Stress check-in" });
    await expect(panel).toContainText("never who said what, and only once 3 people have checked in");
    await expect(page.getByTestId("stress-withheld")).toContainText("The group's picture appears once 3 people have checked in");
    await expect(page.getByTestId("stress-progress")).toHaveText("Nobody has checked in yet.");

    const ann = await another(browser, baseURL, viewport, "Ann Circle");
    const bob = await another(browser, baseURL, viewport, "Bob Circle");
    await joinRoom(ann.page, id, title);
    await joinRoom(bob.page, id, title);

    await ann.page.getByRole("slider", { name: "Your level" }).fill("9");
    await ann.page.getByRole("button", { name: "Money", exact: true }).click();
    await ann.page.getByRole("button", { name: "Share my check-in" }).click();
    await expect(page.getByTestId("stress-progress")).toHaveText("1 of 3 has checked in so far.");

    await bob.page.getByRole("slider", { name: "Your level" }).fill("2");
    await bob.page.getByRole("button", { name: "Share my check-in" }).click();
    for (const p of [page, ann.page, bob.page]) {
      await expect(p.getByTestId("stress-progress")).toHaveText("2 of 3 have checked in so far.");
      await expect(p.getByTestId("stress-mean")).toHaveCount(0);
      await expect(p.getByTestId("top-factors")).toHaveCount(0);
    }
    // Bob could otherwise subtract his 2 from an average of 5.5 and know Ann said 9.
    await expect(bob.page.getByTestId("stress-group")).not.toContainText("Money");
    expect(await scrollsSideways(bob.page)).toBe(false);
    await snap(bob.page, `stress-withheld-${w}`);

    await page.getByRole("slider", { name: "Your level" }).fill("4");
    await page.getByRole("button", { name: "Share my check-in" }).click();
    for (const p of [page, ann.page, bob.page]) {
      await expect(p.getByTestId("stress-mean")).toHaveText("5.0");
      await expect(p.getByTestId("stress-mean-caption")).toHaveText("average of 3 check-ins");
      await expect(p.getByTestId("stress-withheld")).toHaveCount(0);
    }
    await expect(bob.page.getByTestId("stress-group")).toContainText("Money");
    expect(await scrollsSideways(bob.page)).toBe(false);
    await snap(bob.page, `stress-shown-${w}`);
    await ann.context.close();
    await bob.context.close();
  });
}

test("breathing: the live region speaks once per phase, never the seconds", async ({ page }) => {
  await signUp(page, newAccount("Breath Host"));
  const id = await createSession(page, {
    kind: "breathing",
    title: "Two quick breaths",
    config: { pattern: { inhaleMs: 2_000, holdInMs: 0, exhaleMs: 2_000, holdOutMs: 0 }, cycles: 2 },
  });
  await page.goto(`/sessions/${id}`);
  await expect(page.getByTestId("room-connection")).toHaveText("Connected");

  // The visible count is outside every live region.
  const insideLiveRegion = await page
    .getByTestId("breath-phase")
    .evaluate((el) => el.closest("[aria-live], [role=status], [role=alert], [role=log], [role=timer]") !== null);
  expect(insideLiveRegion).toBe(false);

  // Record every text the announcer takes, as a screen reader would hear it.
  const announcer = page.getByTestId("breath-announcer");
  await expect(announcer).toHaveAttribute("role", "status");
  await announcer.evaluate((el) => {
    const heard: string[] = [];
    (window as unknown as { heard: string[] }).heard = heard;
    new MutationObserver(() => {
      const text = el.textContent ?? "";
      if (text && text !== heard[heard.length - 1]) heard.push(text);
    }).observe(el, { childList: true, subtree: true, characterData: true });
  });
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page.getByTestId("breath-phase")).toContainText("Well done", { timeout: 20_000 });
  const heard = await page.evaluate(() => (window as unknown as { heard: string[] }).heard);
  expect(heard).toEqual([
    "Cycle 1 of 2. Breathe in, 2 seconds.",
    "Breathe out, 2 seconds.",
    "Cycle 2 of 2. Breathe in, 2 seconds.",
    "Breathe out, 2 seconds.",
    "Well done: every cycle is complete.",
  ]);
});

for (const viewport of VIEWPORTS) {
  test(`create dialog at ${viewport.width} px: a refused setting is named at the top and its field is highlighted and focused`, async ({ page }) => {
    await page.setViewportSize(viewport);
    await signUp(page, newAccount("Dialog User"));
    await page.getByRole("button", { name: "New session" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New live session" });
    await dialog.getByText("Meditation", { exact: true }).click();
    await dialog.getByLabel("Title").fill("Too short");
    await dialog.getByLabel("Duration (minutes)").fill("0.5");
    await dialog.getByRole("button", { name: "Create session" }).click();

    const summary = dialog.getByRole("alert").first();
    await expect(summary).toHaveText("A meditation lasts at least a minute.");
    await expect(dialog).not.toContainText("highlighted");
    const duration = dialog.getByLabel("Duration (minutes)");
    await expect(duration).toHaveAttribute("aria-invalid", "true");
    await expect(duration).toBeFocused();
    await expect(duration).toBeInViewport();
    // Only the setting at fault is marked, not the bell beside it.
    await expect(dialog.getByLabel("Bell interval (minutes)")).not.toHaveAttribute("aria-invalid", "true");
    await expect(page).toHaveURL(/\/sessions$/);
    await snap(page, `create-dialog-refused-${viewport.width}`, { fullPage: false });
  });
}

test("the sessions list counts its matches: one session matches, two sessions match", async ({ page }) => {
  await signUp(page, newAccount("List Counter"));
  // Paused stress check-ins: no other test pauses one, so these are all that filter finds.
  async function pausedCheckIn(title: string) {
    const id = await createSession(page, { kind: "stress", title });
    await mutateAs(page, "sessions.start", { sessionId: id });
    await mutateAs(page, "sessions.pause", { sessionId: id });
  }
  async function filterPausedCheckIns() {
    await page.goto("/sessions");
    const filters = page.getByRole("toolbar", { name: "Filter sessions" });
    await filters.getByRole("group", { name: "Kind" }).getByRole("button", { name: "Stress check-in" }).click();
    await filters.getByLabel("Status").selectOption("paused");
  }
  await pausedCheckIn("Paused check-in");
  await filterPausedCheckIns();
  await expect(page.getByTestId("session-card")).toHaveCount(1);
  await expect(page.getByTestId("session-count")).toHaveText("1 session matches");

  await pausedCheckIn("Second paused check-in");
  await filterPausedCheckIns();
  await expect(page.getByTestId("session-card")).toHaveCount(2);
  await expect(page.getByTestId("session-count")).toHaveText("2 sessions match");
});
