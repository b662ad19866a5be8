/**
 * The Chat page against the local Anthropic stand-in (playwright.config.ts starts it and points
 * the app at it). The stand-in echoes a prompt's first six words, counts them and adds filler
 * words; controls in the prompt steer it: [[slow:N]] (N ms between words), [[words:N]] (N filler
 * words), [[429]] (rate-limited, retry-after 10 s) — see src/server/features/chat/fake-answer.ts.
 */
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, newAccount, scrollsSideways, signUp, snap } from "./support";

const composer = (page: Page) => page.getByRole("textbox", { name: "Message Claude" });
const sendButton = (page: Page) => page.getByRole("button", { name: "Send message" });
const messages = (page: Page) => page.getByTestId("message");
const mine = (page: Page) => page.locator('[data-testid="message"][data-role="user"]');
const answers = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]');
const conversations = (page: Page) => page.getByTestId("conversation");

async function openChat(page: Page, name: string) {
  await signUp(page, newAccount(name));
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: /^Chat/ })).not.toContainText("Soon");
  await nav.getByRole("link", { name: /^Chat/ }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole("heading", { level: 1, name: "Chat" })).toBeVisible();
}

async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press("Enter");
}

// Its first six words come back in the answer: inline HTML, bold and inline code. Then a code block.
const MARKDOWN_PROMPT = "<b>bold?</b> **strong** `npm test` and more [[slow:150]] [[words:24]]\n\n```ts\nconst answer: number = 42;\n```";

test("a chat: the answer streams in and completes with its usage; Markdown is rendered safely; copy buttons", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openChat(page, "Ada Chat");

  // Nothing yet: example prompts to start from.
  await expect(page.getByRole("heading", { name: "No conversations yet" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Example prompts" }).getByRole("button")).toHaveCount(4);
  await snap(page, "chat-empty");

  // Shift+Enter is a new line, not a send; the counter shows near the limit, and past it nothing is sent.
  const box = composer(page);
  await box.fill("line one");
  await box.press("Shift+Enter");
  await box.pressSequentially("line two");
  await expect(box).toHaveValue("line one\nline two");
  await box.fill("x".repeat(31_000));
  await expect(page.getByText("31,000 / 32,000")).toBeVisible();
  await box.fill("x".repeat(32_001));
  await expect(page.getByText("1 character over the 32,000 limit")).toBeVisible();
  await expect(sendButton(page)).toBeDisabled();
  await box.press("Enter");
  await expect(messages(page)).toHaveCount(0);

  // Enter sends: a conversation named after the message opens, and the answer streams in.
  await send(page, MARKDOWN_PROMPT);
  await expect(page).toHaveURL(/\/chat\?c=[0-9a-f-]{36}$/);
  const answer = answers(page).last();
  await expect(answer).toHaveAttribute("data-status", "streaming");
  await expect(answer.getByText("Claude is writing…")).toBeVisible();
  await expect(sendButton(page)).toBeDisabled();
  await expect(answer).toContainText("You said");
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const usage = answer.getByTestId("usage");
  await expect(usage).toContainText(/\d+ tokens in · \d+ out/);
  await expect(usage).toContainText(/claude-[a-z0-9.-]+/);
  await expect(usage).toContainText(/first token \d+(\.\d)? m?s/);
  await expect(answer).toContainText("and here the stand-in keeps talking");

  // Markdown, safely: bold and inline code render; an HTML tag shows as text, never as an element.
  await expect(answer.locator("strong")).toHaveText("strong");
  await expect(answer.locator("code")).toHaveText("npm test");
  await expect(answer).toContainText('You said: "<b>bold?</b>');
  await expect(page.getByTestId("conversation-pane").locator("b")).toHaveCount(0);

  // A code block: highlighted, with its language and a copy button.
  const block = mine(page).getByTestId("code-block");
  await expect(block.getByText("ts", { exact: true })).toBeVisible();
  await expect(block.locator(".hljs-keyword")).toHaveText("const");
  await expect(block.locator(".hljs-number")).toHaveText("42");
  await block.getByRole("button", { name: "Copy code" }).click();
  await expect(block.getByRole("button", { name: "Copied to clipboard" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("const answer: number = 42;");
  // Copy a whole answer: its Markdown source.
  await answer.getByRole("button", { name: "Copy", exact: true }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^You said: "<b>bold\?<\/b> \*\*strong\*\* `npm test` and more …" \(\d+ words\)\. and here/);

  // An answer with a code block (the stand-in's [[code]]): highlighted there too, as it streams in.
  await send(page, "[[code]] And a block, please");
  const coded = answers(page).last();
  await expect(coded).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const answerBlock = coded.getByTestId("code-block");
  await expect(answerBlock.locator(".hljs-keyword")).toHaveText("const");
  await expect(answerBlock.locator(".hljs-number")).toHaveText("42");

  // The list: the conversation, titled after the first message (as text), active just now.
  await expect(conversations(page)).toHaveCount(1);
  await expect(conversations(page).first()).toContainText("<b>bold?</b> **strong**");
  await expect(conversations(page).first()).toContainText("just now");
  await snap(page, "chat-conversation");
  // Highlighted code, usage and bubbles keep their contrast in light and dark.
  await expectAccessible(page, "a conversation with code");
});

test("stop a slow answer: the text so far is kept, marked Stopped, and Retry answers again; a 429 says when to retry", async ({ page }) => {
  await openChat(page, "Grace Stopper");
  await page.getByRole("button", { name: "New chat" }).click();
  await expect(page).toHaveURL(/\/chat\?c=[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: "This conversation is empty" })).toBeVisible();
  await expect(conversations(page).first()).toContainText("New chat");

  await send(page, "Tell me a long story [[slow:150]] [[words:40]]");
  const first = answers(page).first();
  await expect(first).toContainText('You said: "Tell me a long story"');
  await expect(page.getByText("Claude is answering: wait for the answer, or stop it")).toBeVisible();
  await first.getByRole("button", { name: "Stop the answer" }).click();
  await expect(first).toHaveAttribute("data-status", "cancelled");
  await expect(first.getByText("Stopped", { exact: true })).toBeVisible();
  await expect(first).toContainText('You said: "Tell me a long story"');
  const stopped = (await first.getByTestId("bubble").textContent()) ?? "";
  await snap(page, "chat-stopped");

  await first.getByRole("button", { name: "Retry" }).click();
  await expect(answers(page)).toHaveCount(2);
  const again = answers(page).last();
  await expect(again).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(again.getByTestId("usage")).toContainText(/\d+ tokens in · \d+ out/);
  // The stopped one was cut short: the whole answer is longer, and starts with what was kept.
  const whole = (await again.getByTestId("bubble").textContent()) ?? "";
  expect(whole.length).toBeGreaterThan(stopped.length);
  expect(whole.startsWith(stopped)).toBe(true);
  // The stopped answer stays; only the last answer can be retried.
  await expect(first).toHaveAttribute("data-status", "cancelled");
  await expect(first.getByRole("button", { name: "Retry" })).toHaveCount(0);

  // Anthropic rate-limits (the stand-in's [[429]]): the answer fails with when to try again.
  await send(page, "[[429]] Are you there?");
  const limited = answers(page).last();
  await expect(limited).toHaveAttribute("data-status", "error");
  await expect(limited.getByText("Claude is rate-limited")).toBeVisible();
  await expect(limited.getByTestId("answer-error")).toHaveText("Anthropic is rate-limiting Pulse (429): try again in 10 s.");
  await expect(limited.getByRole("button", { name: "Retry" })).toBeVisible();
  await expect(sendButton(page)).toBeDisabled(); // empty draft
  await composer(page).fill("And now?");
  await expect(sendButton(page)).toBeEnabled();
  await snap(page, "chat-rate-limited");
  await expectAccessible(page, "a stopped answer, a retried one and a failed one");
});

test("rename a conversation inline, then delete it", async ({ page }) => {
  await openChat(page, "Hedy Renamer");
  await send(page, "Plan my week");
  await expect(answers(page).last()).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const item = conversations(page).first();
  await expect(item).toContainText("Plan my week");

  await item.getByRole("button", { name: "Rename Plan my week" }).click();
  const title = item.getByRole("textbox", { name: "New title" });
  await expect(title).toHaveValue("Plan my week");
  await title.fill("Weekly planning");
  await title.press("Enter");
  await expect(item).toContainText("Weekly planning");
  await expect(page.getByRole("heading", { level: 2, name: "Weekly planning" })).toBeVisible();

  await item.getByRole("button", { name: "Delete Weekly planning" }).click();
  await item.getByRole("button", { name: "Confirm: Delete Weekly planning" }).click();
  await expect(conversations(page)).toHaveCount(0);
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole("heading", { name: "No conversations yet" })).toBeVisible();
});

test("a dropped connection mid-answer resumes without repeating a word; a reopened conversation follows its answer", async ({ page }) => {
  // The page's WebSocket goes through a switch the test can cut (set before the page opens one).
  let offline = false;
  const sockets: { close(options?: { code?: number; reason?: string }): Promise<void> }[] = [];
  await page.routeWebSocket(/\/api\/ws/, (ws) => {
    if (offline) {
      setTimeout(() => void ws.close({ code: 4000, reason: "offline" }).catch(() => undefined), 100);
      return;
    }
    ws.connectToServer();
    sockets.push(ws);
  });
  await openChat(page, "Mary Resumer");

  await send(page, "Tell me about tides [[slow:120]] [[words:40]]");
  const answer = answers(page).last();
  await expect(answer).toContainText("You said");
  // Every text the answer shows on its way, to check that each is the start of the final one.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    const list = document.querySelector('[aria-label="Messages"]')!;
    new MutationObserver(() => {
      const bubbles = list.querySelectorAll('[data-role="assistant"]');
      const last = bubbles[bubbles.length - 1]?.querySelector('[data-testid="bubble"]');
      if (last?.textContent) seen.push(last.textContent);
    }).observe(list, { subtree: true, childList: true, characterData: true });
  });

  offline = true;
  await Promise.all(sockets.splice(0).map((ws) => ws.close({ code: 4000, reason: "offline" })));
  await expect(page.getByRole("status").filter({ hasText: "Reconnecting…" }).first()).toBeVisible();
  await page.waitForTimeout(1_200);
  offline = false;
  await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  const final = (await answer.getByTestId("bubble").textContent()) ?? "";
  expect(final).toMatch(/^You said: "Tell me about tides" \(4 words\)\. and here/);
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(seen.length).toBeGreaterThan(3);
  for (const text of seen) expect(final.startsWith(text), `"${text}" is not the start of the answer`).toBe(true);

  // Reopened while an answer is being written: it picks the answer up and follows it to the end.
  await send(page, "And about the moon [[slow:200]] [[words:30]]");
  await expect(answers(page).last()).toContainText("You said");
  await page.reload();
  const reopened = answers(page).last();
  await expect(reopened).toHaveAttribute("data-status", "streaming");
  await expect(reopened).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  await expect(reopened.getByTestId("bubble")).toHaveText(/^You said: "And about the moon" \(4 words\)\. and here/);
});

test("on a phone (390 px): the list first, a conversation on its own screen, no sideways scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, newAccount("Katherine Phone"));
  await page.goto("/chat");
  await expect(page.getByRole("heading", { level: 1, name: "Chat" })).toBeVisible();
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, "chat-mobile-empty");

  await send(page, "Explain `Array.prototype.flatMap` with a long_identifier_that_does_not_break_easily_anywhere_at_all");
  await expect(page).toHaveURL(/\/chat\?c=/);
  await expect(answers(page).last()).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  await expect(page.getByTestId("conversation-list")).toBeHidden();
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, "chat-mobile-conversation", { fullPage: false });

  // The list is a screen away: the conversation's own header renames it.
  const pane = page.getByTestId("conversation-pane");
  await pane.getByRole("button", { name: /^Rename / }).click();
  await pane.getByRole("textbox", { name: "New title" }).fill("Flat maps");
  await pane.getByRole("textbox", { name: "New title" }).press("Enter");
  await expect(pane.getByRole("heading", { level: 2, name: "Flat maps" })).toBeVisible();

  await page.getByRole("button", { name: "Back to conversations" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(conversations(page)).toHaveCount(1);
  await expect(conversations(page).first()).toContainText("Flat maps");
  expect(await scrollsSideways(page)).toBe(false);
  await snap(page, "chat-mobile-list");

  // …and deletes it.
  await conversations(page).first().getByRole("button").first().click();
  await pane.getByRole("button", { name: "Delete Flat maps" }).click();
  await pane.getByRole("button", { name: "Confirm: Delete Flat maps" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(conversations(page)).toHaveCount(0);
});

// Last: it leaves Claude's circuit open on this server for 30 s.
test("upstream trouble: after five failed answers the circuit opens, the page says when Pulse tries again, and a send fails fast", async ({ page }) => {
  test.setTimeout(120_000);
  await openChat(page, "Annie Breaker");
  await page.getByRole("button", { name: "New chat" }).click();
  await expect(page).toHaveURL(/\/chat\?c=/);
  // Each [[500]] is retried by Pulse (three times, backing off), then fails: five in a row open the circuit.
  for (let i = 1; i <= 5; i++) {
    await send(page, `[[500]] Attempt ${i}`);
    await expect(answers(page)).toHaveCount(i);
    await expect(answers(page).last()).toHaveAttribute("data-status", "error", { timeout: 20_000 });
    await expect(answers(page).last().getByTestId("answer-error")).toContainText("Claude is not answering right now");
  }
  await expect(page.getByTestId("circuit-banner")).toContainText("Claude is unavailable right now; Pulse will try again");
  await send(page, "Are you back?");
  const fast = answers(page).last();
  await expect(fast).toHaveAttribute("data-status", "error");
  await expect(fast.getByText("Claude is unavailable right now", { exact: true })).toBeVisible();
  await expect(page.getByTestId("circuit-banner")).toHaveText(/^Claude is unavailable right now; Pulse will try again in \d+ s\./);
  await snap(page, "chat-circuit-open");
});
