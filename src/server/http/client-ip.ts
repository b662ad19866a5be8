/**
 * Who is on the other end of a request, when proxies stand between: `X-Forwarded-For` is believed
 * only as far as `TRUST_PROXY` (a count of proxies) says.
 *
 * Each proxy appends the address it received the request from. With N trusted proxies in front of
 * the server, the last N entries were written by them and everything to their left by whoever
 * sent the request — a client can put anything there. So the client is the N-th entry counted from
 * the right (the one the outermost trusted proxy appended), never the leftmost. With fewer entries
 * than N the request did not come through the proxies: the socket's own peer is the client.
 */
import type { IncomingMessage } from "node:http";
import { normaliseIp } from "@/server/ip-address";

/** Every value of a header that may be sent several times, as one comma-separated list. */
function entries(values: readonly string[] | undefined): string[] {
  if (!values?.length) return [];
  return values.join(",").split(",").map((entry) => entry.trim());
}

/** The entry N from the right of a list proxies append to, or undefined when there are fewer than N. */
export function trustedEntry(values: readonly string[] | undefined, trustedProxies: number): string | undefined {
  if (trustedProxies < 1) return undefined;
  const list = entries(values);
  return list.length >= trustedProxies ? list[list.length - trustedProxies] : undefined;
}

/**
 * The client's address from the `X-Forwarded-For` values and the socket's peer: see the top of
 * this file. An entry that is not an address (a trusted proxy's `unknown`) counts as none.
 */
export function clientIpFrom(forwardedFor: readonly string[] | undefined, remoteAddress: string | undefined, trustedProxies: number): string {
  const forwarded = normaliseIp(trustedEntry(forwardedFor, trustedProxies));
  return forwarded ?? normaliseIp(remoteAddress) ?? remoteAddress ?? "unknown";
}

export function clientIp(req: IncomingMessage, trustedProxies: number): string {
  return clientIpFrom(trustedProxies > 0 ? req.headersDistinct["x-forwarded-for"] : undefined, req.socket.remoteAddress, trustedProxies);
}

/** The scheme the client used, by the same rule (`X-Forwarded-Proto`); undefined: the connection's own. */
export function forwardedProto(req: IncomingMessage, trustedProxies: number): "http" | "https" | undefined {
  const entry = trustedEntry(trustedProxies > 0 ? req.headersDistinct["x-forwarded-proto"] : undefined, trustedProxies)?.toLowerCase();
  return entry === "https" || entry === "http" ? entry : undefined;
}
