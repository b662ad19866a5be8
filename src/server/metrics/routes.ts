/**
 * Names under which calls are counted (routes) and errors grouped (fingerprints). Both must stay
 * few: a route or fingerprint is a row per minute, so ids in paths and messages are taken out.
 */
import { createHash } from "node:crypto";

/** Every call together (ALL_ROUTES in src/shared/analytics.ts). */
export const ALL = "*";
/** Where the routes beyond the cap of one instance-minute go. */
export const OTHER = "other";
/** Distinct routes per instance and minute (besides `*` and `other`). */
export const MAX_ROUTES_PER_MINUTE = 500;
const MAX_ROUTE_LENGTH = 200;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
/** A hex id (a sha, an object id): long and with a digit, so that words are left alone. */
const HEX_ID = /^(?=[0-9a-f]*\d)[0-9a-f]{12,}$/i;
/** Past this length a segment is a token or an id, not a page name. */
const LONG_SEGMENT = 40;

function isId(segment: string): boolean {
  return segment.length > LONG_SEGMENT || NUMBER.test(segment) || UUID.test(segment) || HEX_ID.test(segment);
}

/** A page's URL path as a template: `/sessions/3f0c…` → `/sessions/:id`. */
export function normalisePath(pathname: string): string {
  const segments = pathname.split("/");
  for (let i = 0; i < segments.length; i++) if (isId(segments[i]!)) segments[i] = ":id";
  const path = segments.join("/");
  return path.length > MAX_ROUTE_LENGTH ? `${path.slice(0, MAX_ROUTE_LENGTH)}…` : path;
}

/**
 * The route of an HTTP request outside tRPC, from what served it: a feature's route template,
 * one of the core's fixed paths, Next's assets, or a page (its path normalised; every page that
 * was not found is one route, so scanners make no new rows).
 */
export function httpRoute(method: string, pathname: string, status: number, template?: string): string {
  if (template !== undefined) return `${method} ${template}`;
  if (pathname === "/health" || pathname === "/health/live" || pathname === "/health/ready" || pathname === "/metrics") return `${method} ${pathname}`;
  if (pathname.startsWith("/_next/")) return `${method} /_next/*`;
  if (status === 404) return `${method} page:(not found)`;
  return `${method} page:${normalisePath(pathname)}`;
}

const trpcRoutes = new Map<string, string>();
/** `trpc:<path>`, made once per procedure (paths are a fixed set: only known procedures get here). */
export function trpcRoute(path: string): string {
  let route = trpcRoutes.get(path);
  if (route === undefined) {
    route = `trpc:${path}`;
    trpcRoutes.set(path, route);
  }
  return route;
}
/** A call that named no procedure (an unknown path, a request that could not be parsed). */
export const TRPC_UNKNOWN = "trpc:(unknown)";

const MESSAGE_UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const MESSAGE_HEX = /\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi;
const MESSAGE_DIGITS = /\d+/g;

/** An error message with what differs between occurrences (ids, numbers) replaced by `#`. */
export function normaliseMessage(message: string): string {
  return message.replace(MESSAGE_UUID, "#").replace(MESSAGE_HEX, "#").replace(MESSAGE_DIGITS, "#");
}

export type ErrorKind = "server" | "client";

/** The group an error belongs to: sha1 of its kind, code, route and normalised message. */
export function fingerprint(kind: ErrorKind, code: string, route: string, message: string): string {
  return createHash("sha1").update(`${kind}\0${code}\0${route}\0${normaliseMessage(message)}`).digest("hex");
}
