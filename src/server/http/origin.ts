/**
 * Cross-site request forgery and cross-site WebSocket hijacking: a page on another site must not
 * make a signed-in browser change anything in Pulse, nor open a socket that speaks for it.
 *
 * The rule (the same as Go's `http.CrossOriginProtection`, which OWASP's CSRF sheet describes):
 * a request that can change something — any method but GET, HEAD and OPTIONS, and every
 * WebSocket upgrade — is refused when the browser says it came from elsewhere:
 * - `Sec-Fetch-Site` present: only `same-origin` (and `none`, a person's own navigation) pass.
 *   `same-site` is refused too: another subdomain of the same site is not Pulse. The browser
 *   compares origins itself here, so a proxy that rewrites Host cannot make Pulse refuse its own
 *   pages.
 * - else `Origin` present (browsers before Sec-Fetch-Site): it must be Pulse's own — the
 *   PUBLIC_URL's origin, or the host the request was sent to. `null` (a sandboxed frame, a
 *   data: URL) is not.
 * - neither header: allowed. Every browser that runs Pulse's pages sends at least one of them on
 *   a POST and on a WebSocket upgrade, so such a request is a program (curl, a Node client, a
 *   test) holding the cookie itself, which a hostile page cannot make; and the login cookie is
 *   SameSite=Lax, which keeps it off other sites' POSTs in browsers old enough to send neither.
 * `Authorization: Bearer` requests are not checked: a browser never adds that header by itself,
 * and another site's page cannot set it without a CORS preflight that Pulse never grants.
 *
 * Requests without a cookie are checked too (sign-in, sign-up): a hostile page must not sign a
 * person in to the attacker's account either (login CSRF).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { AnyTRPCRouter } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import type { Config } from "@/server/config";
import type { Logger } from "@/server/log";
import { tagError } from "@/server/trpc/request-id";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

export const CROSS_SITE_MESSAGE = "This request came from another site, so Pulse refused it. Use Pulse from its own pages.";

/** `https://example.com`, lower-cased, default port dropped; undefined for anything that is not an http(s) origin. */
function normalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an `Origin` header names Pulse: the PUBLIC_URL's origin, or the host the request was sent to. */
export function isOwnOrigin(origin: string, req: IncomingMessage, config: Pick<Config, "publicUrl">): boolean {
  const normal = normalOrigin(origin);
  if (!normal) return false;
  if (config.publicUrl !== undefined && normal === normalOrigin(config.publicUrl)) return true;
  // The host alone, not the scheme: behind a proxy that ends TLS the request arrives over http
  // whatever the page's scheme was, and a browser does not let a page choose the Host it sends to.
  const host = req.headers.host;
  if (!host || !HOST.test(host)) return false;
  return new URL(normal).host === normalOrigin(`http://${host}`)?.slice("http://".length);
}

/** Why a request from a browser on another site is refused, or undefined when it may go on. */
export function crossSiteReason(req: IncomingMessage, config: Pick<Config, "publicUrl">, upgrade = false): string | undefined {
  if (!upgrade && SAFE_METHODS.has(req.method ?? "GET")) return undefined;
  if (!upgrade && req.headers.authorization?.startsWith("Bearer ")) return undefined;
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined) return site === "same-origin" || site === "none" ? undefined : `Sec-Fetch-Site: ${String(site).slice(0, 20)}`;
  const origin = req.headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, req, config)) return `Origin: ${origin.slice(0, 200)}`;
  return undefined;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface OriginGuardOptions {
  router: AnyTRPCRouter;
  config: Pick<Config, "publicUrl">;
  log: Logger;
  trpcPrefix: string;
}

/** Refuses cross-site requests and upgrades; each check returns true when it answered (refused). */
export function createOriginGuard({ router, config, log, trpcPrefix }: OriginGuardOptions) {
  const trpcConfig = router._def._config;

  /** A tRPC error response for each call of the request (a batch gets an array), shaped by the router's formatter. */
  function trpcRefusal(paths: string[], batch: boolean, requestId: string): string {
    const shapes = paths.map((path) => {
      const error = new TRPCError({ code: "FORBIDDEN", message: CROSS_SITE_MESSAGE });
      tagError(error, requestId);
      const shape = getErrorShape({ config: trpcConfig, error, type: "mutation", path, input: undefined, ctx: undefined });
      return { error: trpcConfig.transformer.output.serialize(shape) };
    });
    return JSON.stringify(batch ? shapes : shapes[0]);
  }

  return {
    /** An HTTP request: true when it was refused with 403 (nothing was read or run). */
    http(req: IncomingMessage, res: ServerResponse, pathname: string, query: string, requestId: string): boolean {
      const reason = crossSiteReason(req, config);
      if (!reason) return false;
      log.info({ reqId: requestId, method: req.method, path: pathname, reason }, "cross-site request refused");
      let body: string;
      if (pathname.startsWith(trpcPrefix)) {
        const batch = new URLSearchParams(query).get("batch") === "1";
        const path = safeDecode(pathname.slice(trpcPrefix.length));
        body = trpcRefusal(batch ? path.split(",") : [path], batch, requestId);
      } else {
        body = JSON.stringify({ error: CROSS_SITE_MESSAGE, requestId });
      }
      // The body was not read: close the connection rather than read a hostile upload to keep it.
      res.writeHead(403, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", Connection: "close" });
      res.end(body);
      return true;
    },

    /** A WebSocket upgrade: true when it was refused with 403 before the handshake. */
    upgrade(req: IncomingMessage, socket: Duplex, requestId: string): boolean {
      const reason = crossSiteReason(req, config, true);
      if (!reason) return false;
      log.info({ reqId: requestId, path: (req.url ?? "/").split("?", 1)[0], reason }, "cross-site WebSocket upgrade refused");
      const body = JSON.stringify({ error: CROSS_SITE_MESSAGE, requestId });
      socket.end(
        [
          "HTTP/1.1 403 Forbidden",
          "Content-Type: application/json; charset=utf-8",
          `Content-Length: ${Buffer.byteLength(body)}`,
          `X-Request-Id: ${requestId}`,
          "Cache-Control: no-store",
          "Connection: close",
          "",
          body,
        ].join("\r\n"),
      );
      return true;
    },
  };
}
