/**
 * Requests a page makes for schemes other than http(s) (file:, ftp:, chrome:, …) never reach the
 * egress proxy, so they are refused in the page itself. data:, blob: and about: stay inside the
 * browser and are harmless.
 */
import type { Page } from "puppeteer-core";

const PAGE_SCHEMES = new Set(["http:", "https:", "data:", "blob:", "about:"]);

export function isPageScheme(url: string): boolean {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase() ?? "";
  return PAGE_SCHEMES.has(scheme);
}

export async function refuseOtherSchemes(page: Page): Promise<void> {
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (request.isInterceptResolutionHandled()) return;
    if (isPageScheme(request.url())) void request.continue().catch(() => undefined);
    else void request.abort("accessdenied").catch(() => undefined);
  });
}
