/**
 * The headers every response carries, and the Content-Security-Policy of the pages.
 *
 * Pages run under a strict, nonce-based policy: a fresh nonce per page request, put on the
 * request as `content-security-policy` (Next reads the nonce from there and puts it on every
 * script it writes: its bootstrap, its chunks, its inline data) and as `x-nonce` (the root layout
 * gives it to the theme script). Scripts the nonced ones load are trusted through
 * 'strict-dynamic'; nothing else runs, inline or not. A nonce must differ on every response, so
 * every page is rendered per request (the root layout reads the header) — and is never cached.
 *
 * Styles: elements need the nonce as well (Next's inline styles carry it), but style *attributes*
 * are allowed ('unsafe-inline' in style-src-attr): React writes `style={{…}}` into the server's
 * HTML, and a style attribute cannot run code.
 *
 * Everything else (the API, health, downloads) is not a document anyone should render: it gets
 * `default-src 'none'`. Downloads are the exception — Chrome's PDF viewer is built from inline
 * styles and plugin content of the PDF's own document, which that would blank — and get only
 * `frame-ancestors 'none'`; they are our own PDFs and PNGs, sent with nosniff.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "@/server/config";
import { NONCE_HEADER } from "@/shared/api";

const HOST = /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;
const HSTS = "max-age=31536000; includeSubDomains";
const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOWNLOAD_POLICY = "frame-ancestors 'none'";

type HeaderConfig = Pick<Config, "production" | "publicUrl">;

/** The hosts the page's WebSocket may reach, written out: older browsers do not count ws(s): as 'self'. */
function socketSources(req: IncomingMessage, config: HeaderConfig): string[] {
  const hosts = new Set<string>();
  const host = req.headers.host;
  if (host && HOST.test(host)) hosts.add(host.toLowerCase());
  if (config.publicUrl) hosts.add(new URL(config.publicUrl).host);
  return [...hosts].flatMap((h) => [`ws://${h}`, `wss://${h}`]);
}

/** The pages' policy for one response. */
export function pagePolicy(nonce: string, req: IncomingMessage, config: HeaderConfig): string {
  const directives = [
    "default-src 'self'",
    // Development: React's debugging tools evaluate code, and Next's dev overlay injects unnonced styles.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${config.production ? "" : " 'unsafe-eval'"}`,
    config.production ? `style-src 'self' 'nonce-${nonce}'` : "style-src 'self' 'unsafe-inline'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    ["connect-src 'self'", ...socketSources(req, config)].join(" "),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}

/** Headers for every response, set before anything answers: a handler may still replace them. */
export function setSecurityHeaders(res: ServerResponse, pathname: string, config: HeaderConfig): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Content-Security-Policy", pathname.startsWith("/api/files/") ? DOWNLOAD_POLICY : API_POLICY);
  // Browsers keep it only from https responses; in development (http://localhost) it would pin other local apps to https.
  if (config.production) res.setHeader("Strict-Transport-Security", HSTS);
  // What the API answers depends on who asks: no cache may keep it (downloads and pages set their own).
  if (pathname.startsWith("/api/trpc")) res.setHeader("Cache-Control", "no-store");
}

/**
 * A request about to be answered by Next: a page's policy with a fresh nonce, on the response
 * and on the request (where Next and the root layout read it). Static assets keep the API policy.
 */
export function preparePageRequest(req: IncomingMessage, res: ServerResponse, pathname: string, config: HeaderConfig): void {
  if (pathname.startsWith("/_next/static/")) return;
  const nonce = randomBytes(16).toString("base64");
  const policy = pagePolicy(nonce, req, config);
  // Overwrites whatever the client sent under these names: the nonce is ours alone.
  req.headers["content-security-policy"] = policy;
  delete req.headers["content-security-policy-report-only"];
  req.headers[NONCE_HEADER] = nonce;
  res.setHeader("Content-Security-Policy", policy);
}
