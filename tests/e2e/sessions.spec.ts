/**
 * Live sessions in the browser: two people (two browser contexts, two accounts) in one room see
 * each other arrive, chat, sit through the same countdown second, breathe on the same phase,
 * check in, write one document, ask for help; plus the list (filters, "Load more"), the create
 * and invite flows, and what a person is told when something is refused.
 */
import { expect, test, type Browser, type Locator, type Page } from "@playwright/test";
import { createSession, newAccount, signInAsAdmin, signUp, snap, type Account } from "./support";

// Two people each with their own browser context, through a whole session: on a busy CI machine
// one test took just over the default minute (the breathing one 48 s). Rooms have the same limit.
test.describe.configure({ mode: "serial", timeout: 120_000 });

/** A second person on their own computer (own cookies), signed up and on the sessions list. */
async function secondPerson(browser: Browser, baseURL: string | undefined, name: string) {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1360, height: 900 },
    locale: "en-GB",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  const account = newAccount(name);
  await signUp(page, account);
  return { context, page, account };
}

function people(page: Page): Locator {
  return page.getByRole("list", { name: "Participants" });
}

function person(page: Page, account: Account): Locator {
  return people(page).getByTestId("participant").filter({ hasText: account.name });
}

function messages(page: Page): Locator {
  return page.getByRole("list", { name: "Messages" });
}

async function say(page: Page, text: string) {
  const input = page.getByRole("textbox", { name: "Message" });
  await input.fill(text);
  await input.press("Enter");
  await expect(input).toHaveValue("");
}

/** Opens the create dialog and fills the parts every kind shares. */
async function openCreate(page: Page, kind: string, title: string) {
  await page.goto("/sessions");
  await page.getByRole("button", { name: "New session" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New live session" });
  await expect(dialog).toBeVisible();
  await dialog.getByText(kind, { exact: true }).click();
  await dialog.getByLabel("Title").fill(title);
  return dialog;
}

async function joinFromList(page: Page, title: string) {
  await page.goto("/sessions");
  const card = page.getByTestId("session-card").filter({ hasText: title });
  await card.getByRole("button", { name: `Join ${title}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

test("two people in one room: presence, chat, and the same countdown second", async ({ page, browser, baseURL }) => {
  const host = newAccount("Ada Lovelace");
  await signUp(page, host);

  // The host creates a meditation with the dialog.
  const dialog = await openCreate(page, "Meditation", "Morning sit");
  await dialog.getByLabel("Description").fill("Ten quiet minutes before the day begins.");
  await dialog.getByLabel("Duration (minutes)").fill("10");
  await dialog.getByLabel("Bell interval (minutes)").fill("2");
  await snap(page, "sessions-create-dialog", { fullPage: false });
  await dialog.getByRole("button", { name: "Create session" }).click();
  await expect(page).toHaveURL(/\/sessions\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "Morning sit" })).toBeVisible();
  await expect(page.getByTestId("room-connection")).toHaveText("Connected");
  await expect(page.getByRole("region", { name: "Host controls" })).toBeVisible();
  await expect(page.getByTestId("countdown")).toHaveText("10:00");
  await expect(person(page, host)).toHaveAttribute("data-online", "true");

  // A second person finds it in the list and joins.
  const guest = await secondPerson(browser, baseURL, "Grace Hopper");
  const card = guest.page.getByTestId("session-card").filter({ hasText: "Morning sit" });
  await expect(card).toContainText("Ada Lovelace");
  await expect(card).toContainText("10 min · bell every 2 min");
  await joinFromList(guest.page, "Morning sit");

  // Each sees the other, online.
  await expect(person(page, guest.account)).toHaveAttribute("data-online", "true");
  await expect(person(guest.page, host)).toHaveAttribute("data-online", "true");
  await expect(person(guest.page, host)).toContainText("Host");
  await expect(page.getByTestId("presence-summary")).toHaveText("2 online · 2 of 50 joined");
  await expect(messages(page).getByText("Grace Hopper joined")).toBeVisible();

  // Only the host has host controls; the guest can ask for help instead.
  await expect(guest.page.getByRole("region", { name: "Host controls" })).toHaveCount(0);
  await expect(guest.page.getByRole("button", { name: "Start session" })).toHaveCount(0);
  await expect(guest.page.getByRole("button", { name: "Ask for help" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Ask for help" })).toHaveCount(0);

  // Chat both ways; one's own lines are marked as theirs.
  await say(page, "Welcome, Grace! We start in a moment.");
  const welcome = messages(guest.page).getByTestId("chat-message").filter({ hasText: "Welcome, Grace!" });
  await expect(welcome).toContainText("Ada Lovelace");
  await expect(messages(page).getByTestId("chat-message").filter({ hasText: "Welcome, Grace!" })).toContainText("You");
  await say(guest.page, "Thank you, ready when you are.");
  await expect(messages(page).getByTestId("chat-message").filter({ hasText: "ready when you are" })).toContainText("Grace Hopper");

  // The host starts the timer: both count down, showing the same second.
  await page.getByRole("button", { name: "Start session" }).click();
  for (const p of [page, guest.page]) {
    await expect(p.getByTestId("session-status").first()).toHaveText("Live");
    await expect(p.getByTestId("countdown")).toHaveText(/^9:5\d$/);
  }
  await expect(messages(guest.page).getByText("The host started the session")).toBeVisible();
  const hostCountdown = page.getByTestId("countdown");
  const guestCountdown = guest.page.getByTestId("countdown");
  for (let sample = 0; sample < 3; sample++) {
    // Just after the host's display flips, wait half a second: then both are mid-second.
    const before = await hostCountdown.textContent();
    await expect.poll(() => hostCountdown.textContent(), { intervals: [15], timeout: 3_000 }).not.toBe(before);
    await page.waitForTimeout(450);
    const [shownToHost, shownToGuest] = await Promise.all([hostCountdown.textContent(), guestCountdown.textContent()]);
    expect(shownToGuest).toBe(shownToHost);
  }

  // Pause holds the same time for everyone.
  await page.getByRole("button", { name: "Pause" }).click();
  await expect(guest.page.getByTestId("session-status").first()).toHaveText("Paused");
  const pausedAt = await hostCountdown.textContent();
  await expect(guestCountdown).toHaveText(pausedAt!);
  await page.waitForTimeout(1_200);
  await expect(guestCountdown).toHaveText(pausedAt!);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(guest.page.getByTestId("session-status").first()).toHaveText("Live");

  await snap(page, "session-meditation-host");
  await snap(guest.page, "session-meditation-guest");

  // When the guest closes their browser, the host sees them go away.
  await guest.context.close();
  await expect(person(page, guest.account)).toHaveAttribute("data-online", "false");
  await expect(person(page, guest.account)).toContainText("Away");
});

test("chat: an over-long message is explained and not sent; the counter shows the limit", async ({ page, browser, baseURL }) => {
  const host = newAccount("Katherine Johnson");
  await signUp(page, host);
  const id = await createSession(page, { kind: "collaboration", title: "Launch notes" });
  await page.goto(`/sessions/${id}`);
  await expect(page.getByTestId("room-connection")).toHaveText("Connected");

  const input = page.getByRole("textbox", { name: "Message" });
  const send = page.getByRole("button", { name: "Send message" });
  await input.fill("x".repeat(1_990));
  await expect(page.getByTestId("chat-counter")).toHaveText("1,990 / 2,000");
  await expect(send).toBeEnabled();

  await input.fill("y".repeat(2_001));
  await expect(page.getByTestId("chat-counter")).toHaveText("2,001 / 2,000");
  await expect(page.getByText("A message is at most 2,000 characters: remove 1 to send it.")).toBeVisible();
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expect(send).toBeDisabled();
  await input.press("Enter");
  await expect(messages(page).getByTestId("chat-message")).toHaveCount(0);

  // Exactly the limit goes through.
  await input.fill("z".repeat(2_000));
  await expect(send).toBeEnabled();
  await input.press("Enter");
  await expect(messages(page).getByTestId("chat-message")).toHaveCount(1);

  // Whatever the server refuses is shown in its own words: a guest who was never let in…
  const guest = await secondPerson(browser, baseURL, "Dorothy Vaughan");
  await guest.page.goto(`/sessions/${id}`);
  await expect(guest.page.getByRole("button", { name: "Join session" })).toBeVisible();
  // …and after the host ends the session, joining is refused with the server's reason.
  await page.getByRole("button", { name: "End session" }).click();
  await page.getByRole("button", { name: "Confirm: End session" }).click();
  await expect(page.getByText("This session has ended", { exact: true })).toBeVisible();
  await expect(input).toBeDisabled();
  await guest.page.getByRole("button", { name: "Join session" }).click();
  await expect(guest.page.getByRole("alert").filter({ hasText: "This session has ended." })).toBeVisible();
  await guest.context.close();
});

test("private sessions: the invite code lets people in, a wrong one is refused; the shared document merges both", async ({
  page,
  browser,
  baseURL,
}) => {
  const host = newAccount("Barbara Liskov");
  await signUp(page, host);
  const dialog = await openCreate(page, "Collaboration", "Design review");
  await dialog.getByText("Private", { exact: true }).click();
  await dialog.getByRole("button", { name: "Create session" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Design review" })).toBeVisible();
  const code = (await page.getByTestId("invite-code").textContent())!;
  expect(code).toMatch(/^[A-Z0-9]{10}$/);
  const roomUrl = page.url();

  // A stranger does not see it in the list, and a direct link asks for the code.
  const guest = await secondPerson(browser, baseURL, "Frances Allen");
  await expect(guest.page.getByTestId("session-card").filter({ hasText: "Design review" })).toHaveCount(0);

  // With the invite dialog: a wrong code is refused with the server's reason.
  await guest.page.getByRole("button", { name: "Join with invite" }).click();
  const invite = guest.page.getByRole("dialog", { name: "Join with an invite" });
  await invite.getByLabel("Invite link").fill(roomUrl);
  await invite.getByLabel("Invite code").fill("WRONGCODE1");
  await invite.getByRole("button", { name: "Join session" }).click();
  await expect(invite.getByRole("alert")).toContainText("That invite code is not right.");
  await invite.getByRole("button", { name: "Cancel" }).click();

  await guest.page.goto(roomUrl);
  await expect(guest.page.getByRole("heading", { level: 1, name: "This session is private" })).toBeVisible();
  await guest.page.getByLabel("Invite code").fill(code.toLowerCase());
  await guest.page.getByRole("button", { name: "Join session" }).click();
  await expect(guest.page.getByRole("heading", { level: 1, name: "Design review" })).toBeVisible();
  await expect(person(page, guest.account)).toHaveAttribute("data-online", "true");

  // Both write in the one document; neither loses their words.
  const hostDoc = page.getByRole("textbox", { name: "Shared document" });
  const guestDoc = guest.page.getByRole("textbox", { name: "Shared document" });
  await hostDoc.click();
  await hostDoc.pressSequentially("Agenda: ship the sessions page.");
  await expect(guestDoc).toHaveValue("Agenda: ship the sessions page.");
  await guestDoc.click();
  await guestDoc.press("ControlOrMeta+Home");
  await guestDoc.pressSequentially("Notes by Frances. ");
  await hostDoc.press("ControlOrMeta+End");
  await hostDoc.pressSequentially(" Then celebrate.");
  const merged = "Notes by Frances. Agenda: ship the sessions page. Then celebrate.";
  await expect(hostDoc).toHaveValue(merged);
  await expect(guestDoc).toHaveValue(merged);
  await expect(page.getByTestId("doc-status")).toHaveText("All changes saved");

  // A late reload gets the whole document from the server.
  await guest.page.reload();
  await expect(guest.page.getByRole("textbox", { name: "Shared document" })).toHaveValue(merged);
  await say(guest.page, "Looks good to me.");
  await expect(messages(page).getByText("Looks good to me.")).toBeVisible();
  await page.getByRole("textbox", { name: "Shared document" }).blur();
  await snap(page, "session-collaboration");
  await guest.context.close();
});

test("breathing: both follow the same phase; the host changes the pattern live", async ({ page, browser, baseURL }) => {
  const host = newAccount("Radia Perlman");
  await signUp(page, host);
  const dialog = await openCreate(page, "Breathing", "Box breathing break");
  await dialog.getByRole("button", { name: /Coherent/ }).click();
  await dialog.getByLabel("Cycles").fill("6");
  await dialog.getByRole("button", { name: "Create session" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Box breathing break" })).toBeVisible();
  await expect(page.getByTestId("breath-cycle")).toHaveText("6 cycles");

  const guest = await secondPerson(browser, baseURL, "Shafi Goldwasser");
  await joinFromList(guest.page, "Box breathing break");
  await expect(guest.page.getByTestId("breath-phase")).toContainText("The host starts the exercise");
  await expect(guest.page.getByRole("button", { name: "Change pattern" })).toHaveCount(0);

  await page.getByRole("button", { name: "Start session" }).click();
  const hostStage = page.getByTestId("breath-stage");
  const guestStage = guest.page.getByTestId("breath-stage");
  await expect(guestStage).toHaveAttribute("data-stage", "running");
  await expect(guest.page.getByTestId("breath-phase")).toContainText(/Breathe in|Breathe out/);
  await expect(guest.page.getByTestId("breath-cycle")).toHaveText(/Cycle [12] of 6/);
  // Mid-phase (5 s each), both show the same phase.
  for (let sample = 0; sample < 2; sample++) {
    const phase = await hostStage.getAttribute("data-phase");
    await expect.poll(() => hostStage.getAttribute("data-phase"), { intervals: [20], timeout: 7_000 }).not.toBe(phase);
    await page.waitForTimeout(1_500);
    const [a, b] = await Promise.all([hostStage.getAttribute("data-phase"), guestStage.getAttribute("data-phase")]);
    expect(b).toBe(a);
  }

  // The host switches to box breathing: everyone restarts on "breathe in" with the new pattern.
  await page.getByRole("button", { name: "Change pattern" }).click();
  const form = page.getByRole("form", { name: "Change the breathing pattern" });
  await form.getByRole("button", { name: /^Box/ }).click();
  await form.getByLabel("Cycles").fill("8");
  await form.getByRole("button", { name: "Apply to everyone" }).click();
  await expect(guest.page.getByTestId("breath-cycle")).toHaveText("Cycle 1 of 8");
  await expect(guest.page.getByLabel("Pattern", { exact: true })).toContainText("Hold");
  await expect(guest.page.getByTestId("breath-phase")).toContainText("Breathe in");

  // Let the circle fill a little for the picture.
  await page.waitForTimeout(2_000);
  await snap(page, "session-breathing");
  await guest.context.close();
});

test("stress check-in: the live aggregate, a support nudge, and a help request the host cannot miss", async ({ page, browser, baseURL }) => {
  const host = newAccount("Hedy Lamarr");
  await signUp(page, host);
  const dialog = await openCreate(page, "Stress check-in", "Friday check-in");
  await dialog.getByLabel("Question for the group").fill("How heavy did this week feel?");
  await dialog.getByRole("button", { name: "Create session" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Friday check-in" })).toBeVisible();
  await expect(page.getByTestId("stress-withheld")).toContainText("The group's picture appears once 3 people have checked in");

  const guest = await secondPerson(browser, baseURL, "Joan Clarke");
  await joinFromList(guest.page, "Friday check-in");
  await expect(guest.page.getByText("How heavy did this week feel?")).toBeVisible();

  // The guest reports a 9 with two factors: the host sees the group's picture and a nudge.
  const slider = guest.page.getByRole("slider", { name: "Your level" });
  await slider.fill("9");
  await expect(guest.page.getByTestId("my-level")).toHaveText("9");
  await guest.page.getByRole("button", { name: "Work", exact: true }).click();
  await guest.page.getByRole("button", { name: "Sleep", exact: true }).click();
  await guest.page.getByRole("checkbox", { name: /Let the others know, by name/ }).check();
  await guest.page.getByRole("button", { name: "Share my check-in" }).click();
  await expect(guest.page.getByText("Shared with the group")).toBeVisible();
  // One check-in: the group's picture is withheld (it would be the guest's own answer).
  await expect(page.getByTestId("stress-progress")).toHaveText("1 of 3 has checked in so far.");
  await expect(page.getByTestId("stress-mean")).toHaveCount(0);
  await expect(page.getByTestId("nudge-banner")).toContainText("Joan Clarke is having a hard time right now.");
  await expect(guest.page.getByTestId("nudge-banner")).toHaveCount(0);

  // The host reports a 3 with "work": two check-ins, still withheld.
  await page.getByRole("slider", { name: "Your level" }).fill("3");
  await page.getByRole("button", { name: "Work", exact: true }).click();
  await page.getByLabel("Another factor").fill("Travel");
  await page.getByRole("button", { name: "Add factor" }).click();
  await page.getByRole("button", { name: "Share my check-in" }).click();
  await expect(guest.page.getByTestId("stress-progress")).toHaveText("2 of 3 have checked in so far.");
  await expect(guest.page.getByTestId("stress-mean")).toHaveCount(0);

  // A third person checks in with a 6 and "work": everyone sees the mean and the top factor.
  const third = await secondPerson(browser, baseURL, "Mary Cartwright");
  await joinFromList(third.page, "Friday check-in");
  await third.page.getByRole("slider", { name: "Your level" }).fill("6");
  await third.page.getByRole("button", { name: "Work", exact: true }).click();
  await third.page.getByRole("button", { name: "Share my check-in" }).click();
  await expect(guest.page.getByTestId("stress-mean")).toHaveText("6.0");
  await expect(guest.page.getByTestId("stress-mean-caption")).toHaveText("average of 3 check-ins");
  await expect(guest.page.getByTestId("top-factors").locator("li").first()).toContainText("Work");
  await expect(guest.page.getByTestId("top-factors").locator("li").first()).toContainText("3");
  await third.context.close();

  // The guest asks for help: the host gets a banner at once.
  await guest.page.getByRole("button", { name: "Ask for help" }).click();
  const help = guest.page.getByRole("dialog", { name: "Ask for help" });
  await help.getByLabel("Note").fill("I could use a minute to talk.");
  await help.getByRole("button", { name: "Ask for help now" }).click();
  await expect(guest.page.getByText("The host has been told. Help is on its way.")).toBeVisible();
  const banner = page.getByTestId("help-banner");
  await expect(banner).toContainText("Joan Clarke is asking for help");
  await expect(banner).toContainText("I could use a minute to talk.");

  await snap(page, "session-stress-host");
  await banner.getByRole("button", { name: "Got it" }).click();
  await expect(page.getByTestId("help-banner")).toHaveCount(0);
  await snap(guest.page, "session-stress-guest");
  await guest.context.close();
});

test("an admin anywhere in the app sees a help request from any session at once, and opens the room", async ({ page, browser, baseURL }) => {
  // The admin is elsewhere in the app (their account page), in their own browser.
  const context = await browser.newContext({ baseURL, viewport: { width: 1360, height: 900 }, locale: "en-GB", timezoneId: "UTC" });
  const admin = { context, page: await context.newPage() };
  await signInAsAdmin(admin.page);
  await admin.page.goto("/account");

  const host = newAccount("Katherine Johnson");
  await signUp(page, host);
  const id = await createSession(page, { kind: "breathing", title: "Lunchtime breathing" });
  const guest = await secondPerson(browser, baseURL, "Dorothy Vaughan");
  await joinFromList(guest.page, "Lunchtime breathing");
  await guest.page.getByRole("button", { name: "Ask for help" }).click();
  const ask = guest.page.getByRole("dialog", { name: "Ask for help" });
  await ask.getByLabel("Note").fill("Feeling dizzy, please check in.");
  await ask.getByRole("button", { name: "Ask for help now" }).click();

  const alert = admin.page.getByTestId("help-alert");
  await expect(alert).toHaveCount(1);
  await expect(alert).toContainText("Dorothy Vaughan needs help in “Lunchtime breathing”");
  await expect(alert).toContainText("Feeling dizzy, please check in.");
  await snap(admin.page, "admin-help-alert", { fullPage: false });
  // A person who is not an admin (the host's own list page) gets no such alert.
  await page.goto("/sessions");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByTestId("help-alert")).toHaveCount(0);

  await alert.getByRole("link", { name: "Open room" }).click();
  await expect(admin.page).toHaveURL(new RegExp(`/sessions/${id}$`));
  await expect(admin.page.getByRole("heading", { level: 1, name: "Lunchtime breathing" })).toBeVisible();
  await expect(admin.page.getByTestId("help-alert")).toHaveCount(0);
  await admin.context.close();
  await guest.context.close();
});

test("a dropped connection shows Reconnecting…, then Caught up, with every missed message once, in order", async ({ page, browser, baseURL }) => {
  const host = newAccount("Mary Jackson");
  await signUp(page, host);
  const id = await createSession(page, { kind: "meditation", title: "Evening sit", config: { durationMs: 300_000 } });
  await page.goto(`/sessions/${id}`);
  await expect(page.getByTestId("room-connection")).toHaveText("Connected");

  const guest = await secondPerson(browser, baseURL, "Evelyn Boyd");
  // The guest's WebSocket goes through a switch the test can cut.
  let offline = false;
  const sockets: { close(options?: { code?: number; reason?: string }): Promise<void> }[] = [];
  await guest.page.routeWebSocket(/\/api\/ws/, (ws) => {
    if (offline) {
      // No server behind it: the socket opens, hears nothing, and drops again.
      setTimeout(() => void ws.close({ code: 4000, reason: "offline" }).catch(() => undefined), 100);
      return;
    }
    ws.connectToServer();
    sockets.push(ws);
  });
  await joinFromList(guest.page, "Evening sit");
  await expect(guest.page.getByTestId("room-connection")).toHaveText("Connected");
  await say(page, "Before the drop");
  await expect(messages(guest.page).getByText("Before the drop")).toBeVisible();

  offline = true;
  await Promise.all(sockets.splice(0).map((ws) => ws.close({ code: 4000, reason: "offline" })));
  await expect(guest.page.getByTestId("room-connection")).toHaveText("Reconnecting…");
  for (let i = 1; i <= 5; i++) await say(page, `Missed ${i}`);

  offline = false;
  await expect(guest.page.getByTestId("room-connection")).toHaveText("Caught up", { timeout: 20_000 });
  const lines = messages(guest.page).getByTestId("chat-message");
  await expect(lines.filter({ hasText: /Missed \d/ })).toHaveCount(5);
  const texts = await lines.getByTestId("chat-text").allTextContents();
  expect(texts.filter((t) => t.startsWith("Missed"))).toEqual(["Missed 1", "Missed 2", "Missed 3", "Missed 4", "Missed 5"]);
  await expect(guest.page.getByTestId("room-connection")).toHaveText("Connected", { timeout: 10_000 });
  await guest.context.close();
});

test("the sessions list: filters by kind and status, and loads more on demand", async ({ page }) => {
  const host = newAccount("Sophie Wilson");
  await signUp(page, host);
  for (let i = 1; i <= 13; i++) {
    await createSession(page, { kind: i % 3 === 0 ? "breathing" : "meditation", title: `Sit number ${i}`, config: {} });
  }
  const live = await createSession(page, { kind: "stress", title: "Live check-in" });
  const start = await page.request.post("/api/trpc/sessions.start", { data: { json: { sessionId: live } } });
  expect(start.ok()).toBe(true);

  await page.goto("/sessions");
  const list = page.getByTestId("session-list");
  const cards = list.getByTestId("session-card");
  await expect(cards).toHaveCount(12);
  await expect(cards.first()).toContainText("Live check-in");
  await page.getByRole("button", { name: "Load more" }).click();
  await expect.poll(() => cards.count()).toBeGreaterThan(12);
  await expect(list.getByText("Sit number 1", { exact: true })).toBeVisible();

  // Kind: only breathing sessions.
  await page.getByRole("group", { name: "Kind" }).getByRole("button", { name: "Breathing" }).click();
  await expect(cards.first()).toContainText("Breathing");
  for (const text of await cards.getByTestId("session-kind").allTextContents()) expect(text).toBe("Breathing");
  await expect(list.getByText("Sit number 12", { exact: true })).toBeVisible();

  // Status: live ones of any kind.
  await page.getByRole("group", { name: "Kind" }).getByRole("button", { name: "All kinds" }).click();
  await page.getByLabel("Status").selectOption("live");
  await expect(cards.filter({ hasText: "Live check-in" })).toBeVisible();
  await expect(cards.filter({ hasText: "Live check-in" }).getByTestId("session-status")).toHaveText("Live");
  // A timed session still open after its timer ran out (another test's) reads "Complete".
  for (const status of await cards.getByTestId("session-status").allTextContents()) expect(status).toMatch(/^(Live|Complete)$/);

  // Nothing matches: a way back.
  await page.getByRole("group", { name: "Kind" }).getByRole("button", { name: "Collaboration" }).click();
  await page.getByLabel("Status").selectOption("paused");
  await expect(page.getByText("No sessions match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(cards.first()).toBeVisible();
  await snap(page, "sessions-list");
});

test("a room works on a phone-sized screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, newAccount("Lynn Conway"));
  const id = await createSession(page, {
    kind: "meditation",
    title: "Lunchtime reset",
    description: "Five minutes away from the screen.",
    config: { durationMs: 300_000, bellIntervalMs: 60_000 },
  });
  await page.goto("/sessions");
  await expect(page.getByTestId("session-card").filter({ hasText: "Lunchtime reset" })).toBeVisible();
  await snap(page, "sessions-list-mobile", { fullPage: false });
  await page.goto(`/sessions/${id}`);
  await expect(page.getByTestId("room-connection")).toHaveText("Connected");
  await page.getByRole("button", { name: "Start session" }).click();
  await expect(page.getByTestId("countdown")).toHaveText(/^4:5\d$/);
  await say(page, "Phones welcome.");
  await expect(messages(page).getByText("Phones welcome.")).toBeVisible();
  await snap(page, "session-mobile");
});
