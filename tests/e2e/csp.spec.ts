/**
 * The pages work under their Content-Security-Policy: a fresh nonce on every page, every script
 * Next writes carries it, and no page (signed out, signed in, a live room, analytics, load tests…)
 * breaks a rule of the policy — while a script slipped into the page is blocked. A page on
 * another site can neither post to Pulse nor open its WebSocket; Pulse's own pages can.
 */
import { expect, test, type Page, type Response } from "@playwright/test";
import { createSession, signInAsAdmin } from "./support";

declare global {
  interface Window {
    __cspViolations?: string[];
    __xss?: number;
  }
}

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<string[]> {
  const console: string[] = [];
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations!.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber}) ${event.sample}`);
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy|nonce/i.test(message.text())) console.push(message.text());
  });
  page.on("pageerror", (error) => console.push(`page error: ${error.message}`));
  return console;
}

async function violationsOn(page: Page): Promise<string[]> {
  return page.evaluate(() => window.__cspViolations ?? []);
}

/** The checks every page passes: the headers, the nonce on every script Next wrote, and no violation. */
async function expectPageUnderPolicy(page: Page, response: Response | null, what: string, consoleErrors: string[]) {
  expect(response, what).not.toBeNull();
  const headers = response!.headers();
  const policy = headers["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce, `${what}: a nonce in ${policy}`).toBeTruthy();
  expect(policy).toContain("'strict-dynamic'");
  expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-request-id"]).toBeTruthy();
  // A page's HTML depends on who is signed in, and its nonce must not be served twice.
  expect(headers["cache-control"], what).toContain("no-store");

  const scripts = await page.evaluate(() => Array.from(document.querySelectorAll("script")).map((s) => ({ inline: !s.src, nonce: s.nonce })));
  expect(scripts.filter((s) => s.inline).length, `${what}: Next's inline scripts`).toBeGreaterThan(0);
  for (const script of scripts.filter((s) => s.inline)) expect(script.nonce, `${what}: an inline script's nonce`).toBe(nonce);
  expect(scripts.filter((s) => s.nonce === nonce).length).toBeGreaterThan(0);

  // Let late work (charts, sockets, lazy chunks) happen before counting.
  await page.waitForTimeout(700);
  expect(await violationsOn(page), `${what}: CSP violations`).toEqual([]);
  expect(consoleErrors, `${what}: console`).toEqual([]);
}

test("signed out: the landing page, sign-in, sign-up and the 404 page run under the policy", async ({ page }) => {
  const consoleErrors = await watchViolations(page);
  for (const [path, heading] of [
    ["/", /Stay in sync/],
    ["/sign-in", /Welcome back/],
    ["/sign-up", /Create your account/],
    ["/no-such-page", /doesn't exist/],
  ] as const) {
    const response = await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 }).first()).toContainText(heading);
    await expectPageUnderPolicy(page, response, path, consoleErrors);
  }
  // The theme script (inline, in <head>) ran: it carries the nonce. A chosen theme is applied before paint.
  await page.evaluate(() => localStorage.setItem("pulse-theme", "dark"));
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await violationsOn(page)).toEqual([]);
});

test("signed in: every section, a live room, analytics and load tests run under the policy, each with its own nonce", async ({ page }) => {
  const consoleErrors = await watchViolations(page);
  // Signing in (or up) through the form: the page's own mutation, with its Origin, goes through.
  await signInAsAdmin(page);
  const roomId = await createSession(page, { kind: "meditation", title: "Policy room", config: { durationMs: 60_000, bellIntervalMs: 30_000 } });
  const nonces = new Set<string>();
  for (const [path, heading] of [
    ["/sessions", "Sessions"],
    [`/sessions/${roomId}`, "Policy room"],
    ["/analytics", "Analytics"],
    ["/load-tests", "Load tests"],
    ["/files", "Files"],
    ["/jobs", "Jobs"],
    ["/chat", "Chat"],
    ["/account", "Account"],
    ["/status", undefined],
    ["/admin", "Admin"],
  ] as const) {
    const response = await page.goto(path);
    if (heading) await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    else await expect(page.getByTestId("overall-status")).toBeVisible();
    await expectPageUnderPolicy(page, response, path, consoleErrors);
    nonces.add(/'nonce-([^']+)'/.exec(response!.headers()["content-security-policy"]!)![1]!);
  }
  expect(nonces.size).toBe(10);

  // In the room, the live parts work: the socket (connect-src) carries presence; we are listed.
  await page.goto(`/sessions/${roomId}`);
  await expect(page.getByRole("button", { name: /^Join/ }).or(page.getByRole("button", { name: /Leave/ })).first()).toBeVisible();
  expect(await violationsOn(page)).toEqual([]);
});

test("markup slipped into a page cannot run script, and the browser reports it", async ({ page }) => {
  await watchViolations(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  // What an HTML injection adds: an inline event handler, and a javascript: link that gets clicked.
  // (Script that already runs may add scripts: 'strict-dynamic' trusts it, by design; markup is what leaks in.)
  await page.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", '<img src="/no-such-image.png" onerror="window.__xss = 1">');
    document.body.insertAdjacentHTML("beforeend", '<a id="xss" href="javascript:window.__xss = 2">x</a>');
    document.getElementById("xss")!.click();
  });
  await expect.poll(() => violationsOn(page).then((v) => v.length)).toBeGreaterThanOrEqual(2);
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  for (const violation of await violationsOn(page)) expect(violation).toMatch(/^script-src/);
});

test("a page on another site cannot post to Pulse or open its WebSocket; Pulse's own pages can", async ({ page, baseURL }) => {
  const pulse = new URL(baseURL!);
  const socketUrl = `ws://${pulse.host}/api/ws`;
  const openSocket = (url: string) =>
    page.evaluate(
      (target) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(target);
          ws.onopen = () => {
            ws.close();
            resolve("open");
          };
          ws.onclose = (event) => resolve(`closed ${event.code}`);
        }),
      url,
    );

  await signInAsAdmin(page);
  expect(await openSocket(socketUrl)).toBe("open");

  // A hostile page, served as http://evil.test by the test itself.
  await page.route("http://evil.test/**", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<!doctype html><title>Evil</title><form method="post" enctype="text/plain" action="${baseURL}/api/trpc/auth.createApiToken"><input name='{"json":{"name":"stolen","x":"' value='"}}'></form>`,
    }),
  );
  await page.goto("http://evil.test/");
  // The browser lets a page open a socket to any site: Pulse refuses it (403 before the handshake).
  expect(await openSocket(socketUrl)).toBe("closed 1006");

  const navigation = page.waitForURL(`${baseURL}/api/trpc/auth.createApiToken`);
  await page.locator("form").evaluate((form: HTMLFormElement) => form.submit());
  await navigation;
  await expect(page.locator("body")).toContainText("another site");
  await expect(page.locator("body")).toContainText("FORBIDDEN");

  // Nothing was made: the account still has no token named "stolen".
  await page.goto("/account");
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  const tokens = await page.request.get("/api/trpc/auth.listApiTokens");
  expect(await tokens.text()).not.toContain("stolen");
});
