/**
 * Client addresses as rate limits count them. Core, so that features (auth's sign-in limits) and
 * the transport (the HTTP and WebSocket limits) key them the same way.
 */
import { isIP } from "node:net";

/**
 * An address as written in a header or by the socket, or null when it is not one: brackets and a
 * port taken off (`[2001:db8::1]:443`, `203.0.113.7:5000`), an IPv4-mapped IPv6 address
 * (`::ffff:203.0.113.7`, what a dual-stack socket reports) as the IPv4 address it is.
 */
export function normaliseIp(raw: string | undefined): string | null {
  if (!raw) return null;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(value);
  if (mapped) value = mapped[1]!;
  const version = isIP(value);
  if (version === 4) return value;
  if (version === 6) return value.toLowerCase();
  return null;
}

/** The eight 16-bit groups of a valid IPv6 address (no embedded IPv4 form). */
function ipv6Groups(ip: string): number[] | null {
  if (ip.includes(".")) return null;
  const [head, tail] = ip.split("::") as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}

/**
 * What one client is counted as: an IPv4 address itself, an IPv6 address its /64 network. One
 * home or server is given a whole /64, so counting single IPv6 addresses would let it rotate
 * through 2^64 of them.
 */
export function rateLimitKey(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return ip;
  return `${groups.slice(0, 4).map((group) => group.toString(16)).join(":")}::/64`;
}
