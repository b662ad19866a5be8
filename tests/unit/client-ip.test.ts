import { describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { clientIpFrom, trustedEntry } from "@/server/http/client-ip";
import { normaliseIp, rateLimitKey } from "@/server/ip-address";

const SOCKET = "10.0.0.5";
/** An environment with just these variables (NodeJS.ProcessEnv's type insists on NODE_ENV). */
const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

describe("the client's address with N trusted proxies", () => {
  // What reaches the server through a CDN and a load balancer: the client wrote the first two
  // entries itself, the CDN appended the client's real address, the load balancer the CDN's.
  const chain = ["1.1.1.1, 6.6.6.6", "203.0.113.7, 198.51.100.20"];

  it("with no trusted proxy, is the socket's peer whatever the headers say", () => {
    expect(clientIpFrom(chain, SOCKET, 0)).toBe(SOCKET);
    expect(clientIpFrom(undefined, SOCKET, 0)).toBe(SOCKET);
  });

  it("is the N-th entry from the right, across every X-Forwarded-For header", () => {
    expect(clientIpFrom(chain, SOCKET, 1)).toBe("198.51.100.20");
    expect(clientIpFrom(chain, SOCKET, 2)).toBe("203.0.113.7");
    expect(clientIpFrom(chain, SOCKET, 3)).toBe("6.6.6.6");
    expect(clientIpFrom(chain, SOCKET, 4)).toBe("1.1.1.1");
    expect(clientIpFrom(["1.1.1.1,6.6.6.6,203.0.113.7,198.51.100.20"], SOCKET, 2)).toBe("203.0.113.7");
  });

  it("never takes the client-supplied leftmost entry when there are more entries than proxies", () => {
    for (const forged of ["9.9.9.9", "127.0.0.1", "2001:db8::1"]) {
      expect(clientIpFrom([`${forged}, 203.0.113.7`], SOCKET, 1)).toBe("203.0.113.7");
    }
  });

  it("is the socket's peer when there are fewer entries than trusted proxies (the request did not come through them)", () => {
    expect(clientIpFrom(["203.0.113.7"], SOCKET, 2)).toBe(SOCKET);
    expect(clientIpFrom(undefined, SOCKET, 1)).toBe(SOCKET);
    expect(clientIpFrom([""], SOCKET, 1)).toBe(SOCKET);
  });

  it("is the socket's peer when the trusted entry is not an address", () => {
    expect(clientIpFrom(["203.0.113.7, unknown"], SOCKET, 1)).toBe(SOCKET);
    expect(clientIpFrom(["203.0.113.7, 999.1.1.1"], SOCKET, 1)).toBe(SOCKET);
  });

  it("reads addresses with ports, brackets and the IPv4-mapped form", () => {
    expect(clientIpFrom(["203.0.113.7:51000"], SOCKET, 1)).toBe("203.0.113.7");
    expect(clientIpFrom(["[2001:DB8::1]:443"], SOCKET, 1)).toBe("2001:db8::1");
    expect(clientIpFrom(undefined, "::ffff:192.0.2.1", 1)).toBe("192.0.2.1");
    expect(normaliseIp("not an address")).toBeNull();
  });

  it("applies the same rule to X-Forwarded-Proto", () => {
    expect(trustedEntry(["http, https"], 1)).toBe("https");
    expect(trustedEntry(["https, http"], 2)).toBe("https");
    expect(trustedEntry(["https"], 2)).toBeUndefined();
    expect(trustedEntry(["https"], 0)).toBeUndefined();
  });
});

describe("what a rate limit counts as one client", () => {
  it("is an IPv4 address itself, and an IPv6 address's /64", () => {
    expect(rateLimitKey("203.0.113.7")).toBe("203.0.113.7");
    expect(rateLimitKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(rateLimitKey("2001:db8:1:3::1")).not.toBe(rateLimitKey("2001:db8:1:2::1"));
  });
});

describe("TRUST_PROXY", () => {
  const trust = (value: string) => loadConfig(env({ TRUST_PROXY: value })).trustProxy;

  it("is a count of proxies, 0 by default, and still reads the old boolean spellings", () => {
    expect(loadConfig(env({})).trustProxy).toBe(0);
    expect(["true", "yes", "1", "TRUE"].map(trust)).toEqual([1, 1, 1, 1]);
    expect(["false", "no", "0", ""].map(trust)).toEqual([0, 0, 0, 0]);
    expect(trust("2")).toBe(2);
  });

  it("refuses what is not a count", () => {
    expect(() => trust("maybe")).toThrow(/TRUST_PROXY="maybe"/);
    expect(() => trust("-1")).toThrow(/TRUST_PROXY/);
    expect(() => trust("50")).toThrow(/TRUST_PROXY/);
  });
});
