/**
 * The address policy for page captures: which URLs and which resolved addresses a capture may
 * reach. The first URL is checked here before the browser sees it; every later request the page
 * makes is checked again by the egress proxy (proxy.ts) through `resolveAllowed`, against the
 * address it then connects to.
 */
import dns from "node:dns/promises";
import net from "node:net";
import ipaddr from "ipaddr.js";
import { AppError } from "@/server/errors";

export const MESSAGES = {
  scheme: "Only http and https addresses can be captured.",
  credentials: "Addresses with a user name or password cannot be captured.",
  invalid: "That is not a valid web address.",
  privateNetwork: "That address is on a private network and cannot be captured.",
  unresolved: "That address could not be found.",
} as const;

/** Cloud metadata services answer on these names inside their clouds; refused by name, whatever they resolve to. */
const METADATA_NAMES = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.com",
  "metadata.platformequinix.com",
]);

/** IPv6 global unicast (2000::/3): the only IPv6 block a capture may reach. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** `SCREENSHOT_ALLOW_HOSTS`: comma-separated host names or IPs that may be private (tests, an intranet). */
export function parseAllowHosts(value: string | undefined): Set<string> {
  const hosts = (value ?? "")
    .split(",")
    .map((host) => normalizeHost(host.trim()))
    .filter((host) => host.length > 0);
  return new Set(hosts);
}

/** Lower-cased, without IPv6 brackets or a trailing dot, so "LocalHost." and "[::1]" match the allow list. */
export function normalizeHost(host: string): string {
  let normalized = host.toLowerCase();
  if (normalized.startsWith("[") && normalized.endsWith("]")) normalized = normalized.slice(1, -1);
  if (normalized.endsWith(".")) normalized = normalized.slice(0, -1);
  if (ipaddr.isValid(normalized)) normalized = ipaddr.parse(normalized).toString();
  return normalized;
}

/**
 * True for anything that is not a public unicast address: loopback, RFC 1918, link-local
 * (the 169.254.169.254 metadata service), unique local, carrier-grade NAT, multicast,
 * broadcast, reserved and documentation ranges, 0.0.0.0/8, and IPv6 forms that embed an IPv4
 * address (mapped, NAT64, 6to4, Teredo). A string that is not an address counts as private:
 * the policy fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const host = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (!ipaddr.isValid(host)) return true;
  let address = ipaddr.parse(host);
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  if (address.kind() === "ipv4") return address.range() !== "unicast";
  return address.range() !== "unicast" || !address.match(GLOBAL_UNICAST_V6);
}

export function isMetadataName(host: string): boolean {
  return METADATA_NAMES.has(normalizeHost(host));
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Every address `host` resolves to, in the resolver's order, once; refused as a whole if any
 * of them is private (a name that answers with one public and one private address is not
 * public) unless the host is allowed. A literal IP is not resolved.
 */
export async function resolveAddresses(host: string, allow: Set<string>): Promise<ResolvedAddress[]> {
  const name = normalizeHost(host);
  const allowed = allow.has(name);
  if (!allowed && isMetadataName(name)) throw new AppError("BAD_REQUEST", MESSAGES.privateNetwork);
  let addresses: ResolvedAddress[];
  const literal = net.isIP(name);
  if (literal !== 0) {
    addresses = [{ address: name, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      const found = await dns.lookup(name, { all: true, verbatim: true });
      addresses = found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
    } catch {
      throw new AppError("BAD_REQUEST", MESSAGES.unresolved);
    }
    if (addresses.length === 0) throw new AppError("BAD_REQUEST", MESSAGES.unresolved);
  }
  if (!allowed && addresses.some((entry) => isPrivateAddress(entry.address))) {
    throw new AppError("BAD_REQUEST", MESSAGES.privateNetwork);
  }
  return addresses;
}

/**
 * Resolves `host` once and returns an address that passed the check: the caller connects to
 * exactly that address, so a name cannot resolve to a public address for the check and to a
 * private one for the connection. `port` is part of the contract for callers that will restrict
 * ports; any port is allowed today.
 */
export async function resolveAllowed(host: string, port: number, allow: Set<string>): Promise<ResolvedAddress> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new AppError("BAD_REQUEST", MESSAGES.invalid);
  const [first] = await resolveAddresses(host, allow);
  return first!;
}

/** Checks a URL a person asked to capture; returns it parsed, or throws BAD_REQUEST with a plain reason. */
export async function checkTarget(url: string, allow: Set<string>): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError("BAD_REQUEST", MESSAGES.invalid);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new AppError("BAD_REQUEST", MESSAGES.scheme);
  if (parsed.username !== "" || parsed.password !== "") throw new AppError("BAD_REQUEST", MESSAGES.credentials);
  if (parsed.hostname === "") throw new AppError("BAD_REQUEST", MESSAGES.invalid);
  await resolveAddresses(parsed.hostname, allow);
  return parsed;
}

/** The port a URL connects to, explicit or the scheme's default. */
export function portOf(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" || url.protocol === "wss:" ? 443 : 80;
}
