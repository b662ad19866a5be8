import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveDownload, type DownloadableFile } from "@/server/features/files/download";
import { asciiFilename } from "@/server/features/files/filename";
import { CHUNK_BYTES, type FileStorage, type StorageDriver } from "@/server/features/files/storage";
import { storageFixture, type StorageFixture } from "./support/file-storage";

const BODY = randomBytes(CHUNK_BYTES * 3 + 777);
const SHA = createHash("sha256").update(BODY).digest("hex");
const NAME = 'Résumé "final"\r\nX-Injected: 1/../ évaluation 漢字.pdf';

/** The real storage, with a note of every stream it hands out (to see them destroyed). */
function observed(storage: FileStorage, streams: Readable[]): FileStorage {
  return {
    driver: storage.driver,
    write: (key, body, signal) => storage.write(key, body, signal),
    read(key, range) {
      const stream = storage.read(key, range);
      streams.push(stream);
      return stream;
    },
    delete: (key) => storage.delete(key),
  };
}

describe.each<StorageDriver>(["disk", "postgres"])("GET /api/files/:id/download, %s driver", (driver) => {
  let fixture: StorageFixture;
  let server: http.Server;
  let base: string;
  const streams: Readable[] = [];
  const files = new Map<string, DownloadableFile>();

  beforeAll(async () => {
    fixture = await storageFixture(driver);
    const storage = observed(fixture.storage, streams);
    await storage.write("body-1", Readable.from([BODY]));
    files.set("f1", { id: "f1", name: NAME, contentType: "application/pdf", size: BODY.length, sha256: SHA, storageKey: "body-1" });
    files.set("gone", { id: "gone", name: "gone.txt", contentType: "text/plain", size: 10, sha256: "0".repeat(64), storageKey: "never-written" });
    server = http.createServer((req, res) => {
      const id = /^\/api\/files\/([^/]+)\/download$/.exec(req.url ?? "")?.[1];
      const file = id ? files.get(id) : undefined;
      if (!file) res.writeHead(404).end();
      else serveDownload(req, res, file, storage);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/files`;
  });
  afterAll(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await fixture?.close();
  });

  const get = (id: string, headers: Record<string, string> = {}, method = "GET") => fetch(`${base}/${id}/download`, { method, headers });

  it("serves the whole body with its headers", async () => {
    const response = await get("f1");
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(BODY)).toBe(true);
    const h = response.headers;
    expect(h.get("content-type")).toBe("application/pdf");
    expect(h.get("content-length")).toBe(String(BODY.length));
    expect(h.get("etag")).toBe(`"${SHA}"`);
    expect(h.get("accept-ranges")).toBe("bytes");
    expect(h.get("cache-control")).toBe("private, no-store");
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("x-injected")).toBeNull();
  });

  it("gives a Content-Disposition without quotes, line breaks or path separators, and the UTF-8 name", async () => {
    const disposition = (await get("f1", {}, "HEAD")).headers.get("content-disposition") ?? "";
    const [, ascii] = /^attachment; filename="([^"]*)"; filename\*=UTF-8''(\S+)$/.exec(disposition) ?? [];
    expect(ascii).toBe(asciiFilename(NAME));
    expect(ascii).toMatch(/^[\x20-\x7e]+$/);
    expect(ascii).not.toMatch(/["\\/\r\n]/);
    expect(ascii).toContain("Resume");
    const utf8 = decodeURIComponent(/filename\*=UTF-8''(\S+)$/.exec(disposition)?.[1] ?? "");
    expect(utf8).toContain("Résumé");
    expect(utf8).toContain("évaluation 漢字.pdf");
    expect(utf8).not.toMatch(/["\\/\r\n]/);
  });

  it("answers HEAD with the headers and no body", async () => {
    const response = await get("f1", {}, "HEAD");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(BODY.length));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it.each([
    [`"${SHA}"`, 304],
    [`W/"${SHA}"`, 304],
    [`"other", "${SHA}"`, 304],
    ["*", 304],
    [`"other"`, 200],
  ])("answers If-None-Match: %s with %i", async (tag, status) => {
    const response = await get("f1", { "If-None-Match": tag });
    expect(response.status).toBe(status);
    expect(response.headers.get("etag")).toBe(`"${SHA}"`);
    if (status === 304) expect((await response.arrayBuffer()).byteLength).toBe(0);
    else await response.arrayBuffer();
  });

  const size = BODY.length;
  it.each([
    ["bytes=0-0", 0, 0],
    [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    [`bytes=${CHUNK_BYTES - 3}-${2 * CHUNK_BYTES + 3}`, CHUNK_BYTES - 3, 2 * CHUNK_BYTES + 3],
    ["bytes=1000-", 1000, size - 1],
    ["bytes=-500", size - 500, size - 1],
    [`bytes=-${size + 50}`, 0, size - 1],
    [`bytes=10-${size * 2}`, 10, size - 1],
  ])("serves Range %s as 206", async (range, start, end) => {
    const response = await get("f1", { Range: range });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes ${start}-${end}/${size}`);
    expect(response.headers.get("content-length")).toBe(String(end - start + 1));
    expect(Buffer.from(await response.arrayBuffer()).equals(BODY.subarray(start, end + 1))).toBe(true);
  });

  it.each([`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`, "bytes=-0"])("answers the unsatisfiable Range %s with 416", async (range) => {
    const response = await get("f1", { Range: range });
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe(`bytes */${size}`);
    await response.arrayBuffer();
  });

  it.each(["bytes=0-1, 5-6", "bytes=9-3", "items=0-5", "bytes=abc"])("serves the whole body for Range %s (several ranges, or unreadable)", async (range) => {
    const response = await get("f1", { Range: range });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).length).toBe(size);
  });

  it("ignores Range when If-Range names another version", async () => {
    expect((await get("f1", { Range: "bytes=0-9", "If-Range": `"${SHA}"` })).status).toBe(206);
    const stale = await get("f1", { Range: "bytes=0-9", "If-Range": '"stale"' });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it("answers 404 when the body is missing from storage", async () => {
    const response = await get("gone");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-disposition")).toBeNull();
    await response.arrayBuffer();
  });

  it("stops reading storage when the client goes away mid-stream", async () => {
    const before = streams.length;
    await new Promise<void>((resolve, reject) => {
      const request = http.get(`${base}/f1/download`, (response) => {
        response.once("data", () => {
          request.destroy();
          resolve();
        });
      });
      request.on("error", (error) => (error.message.includes("aborted") || error.message.includes("socket hang up") ? undefined : reject(error)));
    });
    const stream = streams[before];
    expect(stream).toBeDefined();
    await expect.poll(() => stream?.destroyed, { timeout: 5_000 }).toBe(true);
    // Destroyed before the end: it did not read the whole body into the dead socket.
    expect(stream?.readableEnded).toBe(false);
  });
});
