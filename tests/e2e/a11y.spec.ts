/**
 * Every page, at a desk's width and a phone's, in light and dark: no serious or critical axe-core
 * violation, and no sideways scrolling.
 */
import { expect, test, type Page } from "@playwright/test";
import { createSession, expectAccessible, newAccount, scrollsSideways, signInAsAdmin, signUp } from "./support";

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

async function check(page: Page, path: string, ready: (page: Page) => Promise<void>) {
  await page.goto(path);
  await ready(page);
  await expectAccessible(page, `${path} at ${page.viewportSize()!.width} px`);
  expect.soft(await scrollsSideways(page), `${path} scrolls sideways`).toBe(false);
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
};

for (const viewport of VIEWPORTS) {
  test(`every page at ${viewport.width} px passes axe (no serious or critical violations, light and dark)`, async ({ page, browser, baseURL }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(viewport);

    await check(page, "/", heading(/Stay in sync/));
    await check(page, "/sign-in", heading("Welcome back"));
    await check(page, "/sign-up", heading("Create your account"));

    await signInAsAdmin(page);
    await check(page, "/sessions", heading("Sessions"));
    const rooms = [
      { kind: "meditation", title: "Axe sit", config: { durationMs: 60_000, bellIntervalMs: 30_000 } },
      { kind: "breathing", title: "Axe breathing" },
      { kind: "stress", title: "Axe check-in" },
      { kind: "collaboration", title: "Axe notes" },
    ];
    for (const room of rooms) {
      const id = await createSession(page, { ...room, title: `${room.title} ${viewport.width}` });
      await check(page, `/sessions/${id}`, async (p) => {
        await heading(`${room.title} ${viewport.width}`)(p);
        await expect(p.getByTestId("room-connection")).toHaveText("Connected");
      });
    }
    await check(page, "/account", heading("Account"));
    await check(page, "/status", async (p) => {
      await heading("System status")(p);
      await expect(p.getByTestId("overall-status")).toBeVisible();
    });
    for (const [path, name] of [
      ["/chat", "Chat"],
      ["/files", "Files & jobs"],
      ["/analytics", "Analytics"],
      ["/admin", "Admin"],
      ["/load-tests", "Load tests"],
    ]) {
      await check(page, path!, heading(name!));
    }
    // A member sees the admin sections' refusal instead.
    const { context, page: member } = await (async () => {
      const context = await browser.newContext({ baseURL, viewport });
      return { context, page: await context.newPage() };
    })();
    await signUp(member, newAccount("Mo Member"));
    await check(member, "/admin", heading("Admin"));
    await check(member, "/no-such-page", heading("This page doesn't exist"));
    await context.close();
  });
}
