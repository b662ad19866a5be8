/**
 * Files through the API, end to end on a real server, PostgreSQL, Chromium and disk: every kind
 * yields a valid file (read back by a real reader), downloads go to the owner and admins only,
 * signed links work without a cookie until they expire or are revoked, screenshots refuse
 * private networks and can be cancelled, the quota and the retention period hold. Both storage
 * drivers serve the same files.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseCsv } from "csv-parse/sync";
import { strFromU8, unzipSync } from "fflate";
import { PDFParse } from "pdf-parse";
import { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileView } from "@/shared/files";
import type { JobView } from "@/shared/jobs";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, eventually, sql } from "./support/raw";

const JOBS = { concurrency: 2, retryBaseMs: 100, heartbeatMs: 500, staleAfterMs: 5_000, sweepEveryMs: 1_000, pollIntervalMs: 500 };

/** A local site to capture: a page, a slow page, and a counter of what was asked for. */
let site: http.Server;
let siteUrl: string;
const siteHits: string[] = [];

let server: TestServer;
let admin: Awaited<ReturnType<typeof signUp>>;
let owner: Awaited<ReturnType<typeof signUp>>;
let stranger: Awaited<ReturnType<typeof signUp>>;

function filesConfig(overrides: Partial<TestServer["pulse"]["app"]["config"]["files"]> = {}) {
  return {
    driver: "disk" as const,
    dir: `/tmp/pulse-files-test-${process.pid}-${Math.random().toString(36).slice(2)}`,
    quotaBytes: 50 * 1024 * 1024,
    retentionDays: undefined,
    // The site is reached as 127.0.0.1; "localhost" (a name for a private address) stays refused.
    screenshotAllowHosts: ["127.0.0.1"],
    screenshotPages: 2,
    chromiumPath: "/usr/bin/chromium",
    ...overrides,
  };
}

beforeAll(async () => {
  site = http.createServer((req, res) => {
    siteHits.push(req.url ?? "");
    if (req.url === "/slow") return void setTimeout(() => res.end("<h1>late</h1>"), 30_000).unref();
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(`<!doctype html><title>Site</title><body style="margin:0;background:#1d4ed8"><h1 style="color:white">Captured page</h1></body>`);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  server = await startTestServer({ jobs: JOBS, files: filesConfig() });
  admin = await signUp(server, "Admin");
  owner = await signUp(server, "Owner");
  stranger = await signUp(server, "Stranger");
});
afterAll(async () => {
  await server?.stop();
  site?.close();
});

async function finished(target: TestServer, token: string, jobId: string): Promise<JobView> {
  let job: JobView | undefined;
  await eventually(async () => ["succeeded", "failed", "cancelled"].includes((job = await target.client(token).jobs.byId.query({ jobId })).status), "the job to finish", 30_000);
  return job!;
}

async function download(target: TestServer, file: FileView, init: { token?: string; query?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  return fetch(`${target.url}/api/files/${file.id}/download${init.query ?? ""}`, { headers });
}

async function pdfText(bytes: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total };
  } finally {
    await parser.destroy();
  }
}

const report = {
  title: "Quarterly report",
  author: "Pulse tests",
  sections: [
    { heading: "Summary", paragraphs: ["Everything went to plan."], bullets: ["Calm sessions", "Fewer errors"] },
    { heading: "Figures", table: { header: ["Month", "Sessions"], rows: [["October", "120"], ["November", "144"]] } },
  ],
};

/** Creates a file as `token`, waits for its job, and returns the file (ready) and its bytes. */
async function make(target: TestServer, token: string, input: Parameters<ReturnType<TestServer["client"]>["files"]["create"]["mutate"]>[0]) {
  const { file, job } = await target.client(token).files.create.mutate(input);
  expect(file).toMatchObject({ status: "pending", jobId: job.id });
  const done = await finished(target, token, job.id);
  expect(done.status, done.lastError ?? "").toBe("succeeded");
  const ready = await target.client(token).files.byId.query({ fileId: file.id });
  expect(ready.status).toBe("ready");
  const response = await download(target, ready, { token });
  expect(response.status).toBe(200);
  return { file: ready, bytes: Buffer.from(await response.arrayBuffer()), response };
}

describe("every kind yields a valid file", () => {
  it("pdf: the text holds the title, every section, the bullets, the table and the page numbers", async () => {
    const { file, bytes, response } = await make(server, owner.token, { kind: "pdf", document: report });
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toContain('filename="Quarterly-report.pdf"');
    expect(file.size).toBe(bytes.length);
    const { text } = await pdfText(bytes);
    for (const expected of ["Quarterly report", "Summary", "Everything went to plan.", "Calm sessions", "Figures", "November", "144", "Page 1 of"]) {
      expect(text).toContain(expected);
    }
  });

  it("docx: word/document.xml holds the sections, bullets and table; the footer has the page field", async () => {
    const { bytes } = await make(server, owner.token, { kind: "docx", document: report });
    const parts = unzipSync(new Uint8Array(bytes));
    const body = strFromU8(parts["word/document.xml"]!);
    for (const expected of ["Quarterly report", "Summary", "Calm sessions", "October", "144"]) expect(body).toContain(expected);
    const footers = Object.keys(parts).filter((name) => /^word\/footer\d*\.xml$/.test(name));
    expect(footers.some((name) => strFromU8(parts[name]!).includes("PAGE"))).toBe(true);
  });

  it("csv rows: parse back to the same rows, formulas neutralised", async () => {
    const rows = [
      ["name", "note"],
      ["Ada, Countess", 'said "hello"'],
      ["multi\nline", "ünïcödé ✓"],
      ["=HYPERLINK(\"x\")", "-12.5"],
    ];
    const { bytes, response } = await make(server, owner.token, { kind: "csv", rows });
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const parsed = parseCsv(bytes.toString("utf8"), { relax_column_count: false }) as string[][];
    expect(parsed).toEqual([rows[0], rows[1], rows[2], ["'=HYPERLINK(\"x\")", "-12.5"]]);
  });

  it("csv export: my jobs, one row each, nobody else's", async () => {
    const { bytes } = await make(server, owner.token, { kind: "csv", export: "jobs" });
    const [header, ...rows] = parseCsv(bytes.toString("utf8")) as string[][];
    expect(header).toContain("type");
    const mine = await server.client(owner.token).jobs.list.query({ limit: 100 });
    // The export's own job is running while it is written: every other job of mine is in it.
    expect(rows.length).toBeGreaterThanOrEqual(mine.items.length - 1);
    const ids = new Set(mine.items.map((job) => job.id));
    expect(rows.every((row) => row.some((cell) => ids.has(cell)))).toBe(true);
  });

  it("screenshot: a PNG of the requested size; full page; page PDF", async () => {
    const { bytes, response } = await make(server, owner.token, { kind: "screenshot", url: `${siteUrl}/`, width: 640, height: 480 });
    expect(response.headers.get("content-type")).toBe("image/png");
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([640, 480]);
    const pagePdf = await make(server, owner.token, { kind: "pagepdf", url: `${siteUrl}/` });
    expect(pagePdf.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect((await pdfText(pagePdf.bytes)).text).toContain("Captured page");
  });
});

describe("who gets a file", () => {
  let file: FileView;
  beforeAll(async () => {
    ({ file } = await make(server, owner.token, { kind: "csv", rows: [["a"], ["1"]] }));
  });

  it("the owner and an admin download it; another user and the signed-out get 404, as for a missing file", async () => {
    expect((await download(server, file, { token: owner.token })).status).toBe(200);
    expect((await download(server, file, { token: admin.token })).status).toBe(200);
    expect((await download(server, file, { token: stranger.token })).status).toBe(404);
    expect((await download(server, file)).status).toBe(404);
    expect(await codeOf(server.client(stranger.token).files.byId.query({ fileId: file.id }))).toBe("NOT_FOUND");
    expect(await codeOf(server.client(stranger.token).files.delete.mutate({ fileId: file.id }))).toBe("NOT_FOUND");
    expect(await codeOf(server.client(stranger.token).files.downloadLink.mutate({ fileId: file.id, expiresInS: 600 }))).toBe("NOT_FOUND");
  });

  it("path tricks in the id get 404", async () => {
    for (const id of ["..%2F..%2Fetc%2Fpasswd", "..", "%2e%2e", `${file.id}%00`, `${file.id}%2F..`, "%E0%A4%A", encodeURIComponent(file.id.toUpperCase()) + "x"]) {
      const response = await fetch(`${server.url}/api/files/${id}/download`, { headers: { Authorization: `Bearer ${owner.token}` } });
      expect(response.status, id).toBe(404);
    }
  });

  it("ranges and ETags", async () => {
    const whole = await download(server, file, { token: owner.token });
    const etag = whole.headers.get("etag")!;
    expect(etag).toBe(`"${file.sha256}"`);
    expect((await download(server, file, { token: owner.token, headers: { "If-None-Match": etag } })).status).toBe(304);
    const part = await download(server, file, { token: owner.token, headers: { Range: "bytes=0-0" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 0-0/${file.size}`);
  });

  it("a signed link works without a cookie, and stops after revocation and after expiry", async () => {
    const client = server.client(owner.token);
    const link = await client.files.downloadLink.mutate({ fileId: file.id, expiresInS: 600 });
    expect(link.url.startsWith(server.url)).toBe(true);
    expect((await fetch(link.url)).status).toBe(200);
    // The secret opens this file only.
    const other = (await make(server, owner.token, { kind: "csv", rows: [["b"]] })).file;
    expect((await fetch(link.url.replace(file.id, other.id))).status).toBe(404);
    await client.files.revokeDownloadLink.mutate({ linkId: link.linkId });
    expect((await fetch(link.url)).status).toBe(404);
    expect(await codeOf(server.client(stranger.token).files.revokeDownloadLink.mutate({ linkId: link.linkId }))).toBe("NOT_FOUND");

    const expiring = await client.files.downloadLink.mutate({ fileId: file.id, expiresInS: 60 });
    expect((await fetch(expiring.url)).status).toBe(200);
    await sql(server.database.url, `UPDATE "FileLink" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [expiring.linkId]);
    expect((await fetch(expiring.url)).status).toBe(404);
  });

  it("deleting a file removes its row, its body and its links", async () => {
    const { file: doomed } = await make(server, owner.token, { kind: "csv", rows: [["x"]] });
    const link = await server.client(owner.token).files.downloadLink.mutate({ fileId: doomed.id, expiresInS: 600 });
    await server.client(owner.token).files.delete.mutate({ fileId: doomed.id });
    expect((await fetch(link.url)).status).toBe(404);
    expect(await codeOf(server.client(owner.token).files.byId.query({ fileId: doomed.id }))).toBe("NOT_FOUND");
    expect(await sql(server.database.url, `SELECT 1 FROM "FileLink" WHERE id = $1`, [link.linkId])).toEqual([]);
  });
});

describe("screenshots reach public pages only", () => {
  it("refuses other schemes, loopback, metadata and names of private addresses with BAD_REQUEST", async () => {
    const client = server.client(owner.token);
    for (const url of ["file:///etc/passwd", "http://127.0.0.2:1/", "http://169.254.169.254/latest/meta-data/", "http://localhost/", "http://[::1]/", "ftp://example.com/"]) {
      expect(await codeOf(client.files.create.mutate({ kind: "screenshot", url })), url).toBe("BAD_REQUEST");
      expect(await codeOf(client.files.create.mutate({ kind: "pagepdf", url })), url).toBe("BAD_REQUEST");
    }
  });

  it("cancel stops a running screenshot at once, and the browser takes the next one", async () => {
    const client = server.client(owner.token);
    const { job, file } = await client.files.create.mutate({ kind: "screenshot", url: `${siteUrl}/slow` });
    await eventually(() => siteHits.includes("/slow"), "the slow page to be asked for", 20_000);
    await client.jobs.cancel.mutate({ jobId: job.id });
    const cancelled = await finished(server, owner.token, job.id);
    expect(cancelled.status).toBe("cancelled");
    expect((await client.files.byId.query({ fileId: file.id })).status).toBe("failed");
    // The capture let go of its page: two more run at once in a pool of two.
    const next = await Promise.all([1, 2].map(() => make(server, owner.token, { kind: "screenshot", url: `${siteUrl}/`, width: 320, height: 240 })));
    expect(next.every(({ bytes }) => PNG.sync.read(bytes).width === 320)).toBe(true);
  });
});

describe("limits", () => {
  it("a full quota refuses new files with a clear message; an oversized result fails its job with the reason", async () => {
    const small = await startTestServer({ jobs: JOBS, files: filesConfig({ quotaBytes: 2_000 }) });
    try {
      const user = await signUp(small, "Small quota");
      const big = Array.from({ length: 100 }, (_, i) => [`row ${i}`, "x".repeat(30)]);
      const { job } = await small.client(user.token).files.create.mutate({ kind: "csv", rows: big });
      const failed = await finished(small, user.token, job.id);
      expect(failed.status).toBe("failed");
      expect(failed.lastError).toMatch(/would take your storage past its .* quota/);
      expect(failed.attempts).toBe(1); // permanent: not retried

      // 40 lines of 48 characters and CRLF: exactly the 2,000 bytes left.
      const { file } = await make(small, user.token, { kind: "csv", rows: Array.from({ length: 40 }, () => ["y".repeat(48)]) });
      expect(file.size).toBe(2_000);
      const refused = await codeOf(small.client(user.token).files.create.mutate({ kind: "csv", rows: [["z"]] }));
      expect(refused).toBe("PAYLOAD_TOO_LARGE");
      expect((await small.client(user.token).files.usage.query()).quotaBytes).toBe(2_000);
    } finally {
      await small.stop();
    }
  });

  it("the retention sweep removes files past their age, rows and bodies", async () => {
    const kept = await startTestServer({ jobs: JOBS, files: filesConfig({ retentionDays: 30 }) });
    try {
      const user = await signUp(kept, "Retention");
      const { file: old } = await make(kept, user.token, { kind: "csv", rows: [["old"]] });
      const { file: recent } = await make(kept, user.token, { kind: "csv", rows: [["new"]] });
      await sql(kept.database.url, `UPDATE "File" SET "createdAt" = now() - interval '31 days' WHERE id = $1`, [old.id]);
      expect(await kept.pulse.services.files.sweepOldFiles()).toBe(1);
      expect(await codeOf(kept.client(user.token).files.byId.query({ fileId: old.id }))).toBe("NOT_FOUND");
      expect((await download(kept, recent, { token: user.token })).status).toBe(200);
    } finally {
      await kept.stop();
    }
  });
});

describe("the postgres storage driver", () => {
  it("serves the same files, with ranges", async () => {
    const pgServer = await startTestServer({ jobs: JOBS, files: filesConfig({ driver: "postgres" }) });
    try {
      const user = await signUp(pgServer, "Postgres storage");
      const { file, bytes } = await make(pgServer, user.token, { kind: "pdf", document: report });
      expect((await pdfText(bytes)).text).toContain("Quarterly report");
      const chunks = await sql<{ n: number }>(pgServer.database.url, `SELECT count(*)::int AS n FROM "FileChunk"`);
      expect(chunks[0]!.n).toBeGreaterThan(0);
      const tail = await download(pgServer, file, { token: user.token, headers: { Range: "bytes=-10" } });
      expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
    } finally {
      await pgServer.stop();
    }
  });
});
