/**
 * `GET /api/files/:id/download` once the caller may see the file: the body from storage with the
 * headers a browser and a download program need — a safe Content-Disposition, ETag and
 * If-None-Match, single byte ranges, HEAD.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { contentDisposition } from "./filename.js";
import { MissingFileError, type ByteRange, type FileStorage } from "./storage/index.js";

export interface DownloadableFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Where the body is in `storage` (File.storageKey). */
  storageKey: string;
}

type RangeRequest = { kind: "whole" } | { kind: "range"; range: ByteRange } | { kind: "unsatisfiable" };

/**
 * Reads a Range header (RFC 9110 §14). Only one `bytes` range is served as 206: several ranges
 * get the whole body as 200 (allowed by the RFC; multipart/byteranges is not worth its weight
 * for generated files). A header we cannot read is ignored, as the RFC asks.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (!header) return { kind: "whole" };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return { kind: "whole" };
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return { kind: "whole" };
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "range", range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return { kind: "whole" };
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "range", range: { start, end } };
}

/** If-None-Match: a list of entity tags or "*", compared weakly (W/ ignored), as RFC 9110 §13.1.2 says. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

export function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  file: DownloadableFile,
  storage: FileStorage,
  disposition: "attachment" | "inline" = "attachment",
): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("Method not allowed.\n");
    return;
  }
  const etag = `"${file.sha256}"`;
  // Every response, 304 and 416 included, carries these (the ETag must come with a 304).
  res.setHeader("ETag", etag);
  res.setHeader("Accept-Ranges", "bytes");
  // Whether it is served depends on who is signed in: no shared cache may keep it.
  res.setHeader("Cache-Control", "private, no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");

  if (matchesEtag(req.headers["if-none-match"], etag)) {
    res.writeHead(304).end();
    return;
  }

  // If-Range with another tag: the client's partial copy is stale, so it gets the whole body.
  const ifRange = req.headers["if-range"];
  const rangeHeader = req.method === "GET" && (ifRange === undefined || String(ifRange).trim() === etag) ? req.headers.range : undefined;
  const request = parseRange(rangeHeader, file.size);
  if (request.kind === "unsatisfiable") {
    res.writeHead(416, { "Content-Range": `bytes */${file.size}`, "Content-Type": "text/plain; charset=utf-8" }).end("Range not satisfiable.\n");
    return;
  }

  const bodyHeaders: Record<string, string> = {
    "Content-Type": file.contentType,
    "Content-Disposition": contentDisposition(file.name, disposition),
  };
  let range: ByteRange | undefined;
  if (request.kind === "range") {
    range = request.range;
    res.statusCode = 206;
    bodyHeaders["Content-Range"] = `bytes ${range.start}-${range.end}/${file.size}`;
    bodyHeaders["Content-Length"] = String(range.end - range.start + 1);
  } else {
    res.statusCode = 200;
    bodyHeaders["Content-Length"] = String(file.size);
  }
  for (const [name, value] of Object.entries(bodyHeaders)) res.setHeader(name, value);

  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const body = storage.read(file.storageKey, range);
  // The client went away (or the response is done): stop reading storage.
  res.once("close", () => body.destroy());
  body.once("error", (error) => {
    if (res.headersSent) {
      // Too late for a status: cut the connection so the client sees a short body, not a whole one.
      res.destroy(error);
      return;
    }
    for (const name of Object.keys(bodyHeaders)) res.removeHeader(name);
    const missing = error instanceof MissingFileError;
    res.writeHead(missing ? 404 : 500, { "Content-Type": "text/plain; charset=utf-8" }).end(missing ? "File not found.\n" : "The file could not be read.\n");
  });
  body.pipe(res);
}
