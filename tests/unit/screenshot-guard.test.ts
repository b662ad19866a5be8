import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { checkTarget, isPrivateAddress, MESSAGES, parseAllowHosts, resolveAllowed } from "@/server/features/files/browser/guard";
import { isPageScheme } from "@/server/features/files/browser/schemes";

describe("isPrivateAddress", () => {
  const privateAddresses = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "0.1.2.3",
    "255.255.255.255",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "febf::1",
    "fc00::1",
    "fd12:3456:789a::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:192.168.0.1",
    "64:ff9b::a00:1",
    "2002:7f00:1::1",
    "2001:db8::1",
    "[::1]",
    "not an address",
    "",
  ];
  const publicAddresses = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "2606:4700:4700::1111", "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8"];

  it.each(privateAddresses)("%s is private", (ip) => expect(isPrivateAddress(ip)).toBe(true));
  it.each(publicAddresses)("%s is public", (ip) => expect(isPrivateAddress(ip)).toBe(false));
});

describe("parseAllowHosts", () => {
  it("splits, trims and lower-cases, and drops empty entries", () => {
    expect(parseAllowHosts(" LocalHost , 127.0.0.1,,[::1], intranet.example.")).toEqual(new Set(["localhost", "127.0.0.1", "::1", "intranet.example"]));
    expect(parseAllowHosts(undefined).size).toBe(0);
    expect(parseAllowHosts("").size).toBe(0);
  });
});

async function refusal(url: string, allow = new Set<string>()): Promise<AppError> {
  const error: unknown = await checkTarget(url, allow).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("BAD_REQUEST");
  return error as AppError;
}

describe("checkTarget", () => {
  it("refuses schemes other than http and https", async () => {
    expect((await refusal("file:///etc/passwd")).message).toBe(MESSAGES.scheme);
    expect((await refusal("ftp://ftp.example.com/file.txt")).message).toBe(MESSAGES.scheme);
    expect((await refusal("javascript:alert(1)")).message).toBe(MESSAGES.scheme);
    expect((await refusal("data:text/html,<h1>hi</h1>")).message).toBe(MESSAGES.scheme);
    expect((await refusal("chrome://settings")).message).toBe(MESSAGES.scheme);
  });

  it("refuses addresses with credentials", async () => {
    expect((await refusal("http://user:pass@example.com/")).message).toBe(MESSAGES.credentials);
    expect((await refusal("https://user@example.com/")).message).toBe(MESSAGES.credentials);
  });

  it("refuses what is not a URL", async () => {
    expect((await refusal("not a url")).message).toBe(MESSAGES.invalid);
  });

  it("refuses loopback, link-local metadata, IPv6 loopback and private literals", async () => {
    for (const url of [
      "http://127.0.0.1:1/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://10.1.2.3/",
      "http://0.0.0.0/",
      "http://2130706433/", // 127.0.0.1 as one number: the URL parser normalises it first
      "http://0x7f.1/",
      "https://192.168.0.1:8443/admin",
    ]) {
      expect((await refusal(url)).message, url).toBe(MESSAGES.privateNetwork);
    }
  });

  it("refuses a host name that resolves to a private address, and metadata names", async () => {
    expect((await refusal("http://localhost/")).message).toBe(MESSAGES.privateNetwork);
    expect((await refusal("http://LOCALHOST.:8080/")).message).toBe(MESSAGES.privateNetwork);
    expect((await refusal("http://metadata.google.internal/computeMetadata/v1/")).message).toBe(MESSAGES.privateNetwork);
  });

  it("allows a public literal address without resolving anything", async () => {
    const url = await checkTarget("https://93.184.215.14/page?q=1", new Set());
    expect(url.hostname).toBe("93.184.215.14");
  });

  it("allows a private host that is in the allow set, and only that host", async () => {
    const allow = parseAllowHosts("localhost");
    const url = await checkTarget("http://localhost:4321/", allow);
    expect(url.port).toBe("4321");
    expect((await refusal("http://127.0.0.1:4321/", allow)).message).toBe(MESSAGES.privateNetwork);
  });
});

describe("resolveAllowed", () => {
  it("returns the address to connect to for an allowed host, and refuses a private one otherwise", async () => {
    const resolved = await resolveAllowed("localhost", 80, new Set(["localhost"]));
    expect(isPrivateAddress(resolved.address)).toBe(true);
    expect([4, 6]).toContain(resolved.family);
    await expect(resolveAllowed("localhost", 80, new Set())).rejects.toMatchObject({ code: "BAD_REQUEST", message: MESSAGES.privateNetwork });
    await expect(resolveAllowed("169.254.169.254", 80, new Set())).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(resolveAllowed("8.8.8.8", 443, new Set())).resolves.toEqual({ address: "8.8.8.8", family: 4 });
    await expect(resolveAllowed("[2606:4700:4700::1111]", 443, new Set())).resolves.toEqual({ address: "2606:4700:4700::1111", family: 6 });
    await expect(resolveAllowed("8.8.8.8", 0, new Set())).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("isPageScheme", () => {
  it("lets http, https, data, blob and about through, and nothing else", () => {
    for (const url of ["http://example.com/", "HTTPS://example.com/", "data:image/png;base64,AA==", "blob:https://example.com/1", "about:blank"]) expect(isPageScheme(url), url).toBe(true);
    for (const url of ["file:///etc/passwd", "ftp://example.com/", "chrome://settings", "chrome-extension://abc/x.js", "view-source:http://example.com", "ws://example.com", ""]) expect(isPageScheme(url), url).toBe(false);
  });
});
