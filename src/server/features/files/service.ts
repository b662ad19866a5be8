/**
 * Files: asked for here, made by jobs (generate.ts), kept by a storage driver, served by the
 * download route (routes.ts). A file of another user does not exist, as far as the caller can
 * tell (NOT_FOUND); only the download route lets an admin in too.
 */
import { randomUUID } from "node:crypto";
import type { App } from "@/server/app";
import { AppError, notFound } from "@/server/errors";
import type { UsageScope } from "@/server/feature";
import type { Caller } from "@/server/features/auth/service";
import type { UsageSection } from "@/shared/analytics";
import { downloadPath, FILE_JOB_TYPES, FILE_KINDS, formatBytes, KIND_LABELS, type FileKind, type FileView } from "@/shared/files";
import type { JobView } from "@/shared/jobs";
import { BrowserPool } from "./browser/browser.js";
import { checkTarget } from "./browser/guard.js";
import { defineFileJobs } from "./generate.js";
import { createLink, revokeLink } from "./links.js";
import { CSV_CONTENT_TYPE } from "./render/csv.js";
import { downloadRoute } from "./routes.js";
import { FILE_COLUMNS, fileById, insertFile, toFileView, usageByKind, usedBytes, type FileRow } from "./rows.js";
import type { CreateInput, ListInput } from "./schemas.js";
import { createFileStorage } from "./storage/index.js";

// Spelled out, not imported from the renderers: those load only when a file is made.
const CONTENT_TYPES: Record<FileKind, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  csv: CSV_CONTENT_TYPE,
  screenshot: "image/png",
  pagepdf: "application/pdf",
};

/** Jobs whose failures may pass (a page that did not load) get more attempts than deterministic renders. */
const MAX_ATTEMPTS: Record<FileKind, number> = { pdf: 2, docx: 2, csv: 3, screenshot: 3, pagepdf: 3 };

const RETENTION_EVERY_MS = 60 * 60 * 1000;
/** One instance at a time sweeps old files (a session-level advisory lock, by this number). */
const RETENTION_LOCK = 0x70756c73_66696c65n;


function nameFor(input: CreateInput, now = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  const slug = (text: string) =>
    text
      .normalize("NFKD")
      .replace(/[^\p{L}\p{N}]+/gu, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "document";
  const host = (url: string) => new URL(url).hostname.replace(/[^a-z0-9.-]/gi, "") || "page";
  switch (input.kind) {
    case "pdf":
    case "docx":
      return `${slug(input.document.title)}.${input.kind}`;
    case "csv":
      return input.export ? `${input.export}-${day}.csv` : `table-${day}.csv`;
    case "screenshot":
      return `${host(input.url)}-${day}.png`;
    case "pagepdf":
      return `${host(input.url)}-${day}.pdf`;
  }
}

export function createFilesService(app: App) {
  const { pool, config, log, queue } = app;
  const settings = config.files;
  const storage = createFileStorage({ driver: settings.driver, dir: settings.dir, pool });
  const allowHosts = new Set(settings.screenshotAllowHosts);
  let browser: BrowserPool | undefined;
  const browserPool = () => (browser ??= new BrowserPool({ allowHosts, size: settings.screenshotPages, executablePath: settings.chromiumPath, log }));
  defineFileJobs(queue, { pool, storage, browser: browserPool, quotaBytes: settings.quotaBytes, log });

  async function owned(caller: Caller, fileId: string): Promise<FileRow> {
    const file = await fileById(pool, fileId);
    if (!file || file.ownerId !== caller.user.id) throw notFound("That file");
    return file;
  }

  /** Removes files (rows, links, bodies); a job still making one is cancelled first. */
  async function remove(files: FileRow[]): Promise<void> {
    for (const file of files) {
      if (file.status === "pending" && file.jobId) await queue.cancel(file.jobId);
      await pool.query(`DELETE FROM "File" WHERE id = $1`, [file.id]);
      await storage.delete(file.storageKey).catch((err: unknown) => log.warn({ err, fileId: file.id }, "could not remove a deleted file's body"));
    }
  }

  async function sweepOldFiles(): Promise<number> {
    if (!settings.retentionDays) return 0;
    const client = await pool.connect();
    try {
      const { rows: locked } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1) AS ok`, [RETENTION_LOCK.toString()]);
      if (!locked[0]?.ok) return 0;
      try {
        const { rows } = await client.query<FileRow>(
          `SELECT ${FILE_COLUMNS} FROM "File" f WHERE f."createdAt" < now() - make_interval(days => $1) ORDER BY f."createdAt" LIMIT 1000`,
          [settings.retentionDays],
        );
        await remove(rows);
        if (rows.length) log.info({ files: rows.length, retentionDays: settings.retentionDays }, "removed files past their retention period");
        return rows.length;
      } finally {
        await client.query(`SELECT pg_advisory_unlock($1)`, [RETENTION_LOCK.toString()]);
      }
    } finally {
      client.release();
    }
  }
  let retentionTimer: NodeJS.Timeout | undefined;

  return {
    storage,
    downloadRoute: downloadRoute(pool, storage),

    async create(caller: Caller, input: CreateInput): Promise<{ file: FileView; job: JobView }> {
      const ownerId = caller.user.id;
      const usage = await usedBytes(pool, ownerId);
      if (usage.bytes >= settings.quotaBytes) {
        throw new AppError("PAYLOAD_TOO_LARGE", `Your files use ${formatBytes(usage.bytes)} of your ${formatBytes(settings.quotaBytes)}. Delete some files to make room.`);
      }
      // Refused now, with BAD_REQUEST; the capture checks every request the page makes again.
      if (input.kind === "screenshot" || input.kind === "pagepdf") await checkTarget(input.url, allowHosts);

      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const fileId = randomUUID();
        const file = await insertFile(client, {
          id: fileId,
          ownerId,
          kind: input.kind,
          name: nameFor(input),
          contentType: CONTENT_TYPES[input.kind],
          storage: storage.driver,
          storageKey: randomUUID(),
        });
        const job = await queue.enqueue(
          { ownerId, type: FILE_JOB_TYPES[input.kind], payload: input, priority: input.priority, maxAttempts: MAX_ATTEMPTS[input.kind], fileId, message: "Waiting for a worker" },
          client,
        );
        await client.query(`UPDATE "File" SET "jobId" = $2 WHERE id = $1`, [fileId, job.id]);
        await client.query("COMMIT");
        return { file: toFileView({ ...file, jobId: job.id }), job };
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    async list(caller: Caller, { kind, cursor, limit }: ListInput): Promise<{ items: FileView[]; nextCursor: string | null }> {
      const params: unknown[] = [caller.user.id];
      const where = [`f."ownerId" = $1`];
      if (kind) where.push(`f.kind = $${params.push(kind)}::"FileKind"`);
      if (cursor) where.push(`(f."createdAt", f.id) < (SELECT c."createdAt", c.id FROM "File" c WHERE c.id = $${params.push(cursor)}::uuid AND c."ownerId" = $1)`);
      const { rows } = await pool.query<FileRow>(
        `SELECT ${FILE_COLUMNS} FROM "File" f WHERE ${where.join(" AND ")} ORDER BY f."createdAt" DESC, f.id DESC LIMIT $${params.push(limit + 1)}`,
        params,
      );
      const items = rows.slice(0, limit).map(toFileView);
      return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
    },

    byId: async (caller: Caller, fileId: string) => toFileView(await owned(caller, fileId)),

    async delete(caller: Caller, fileId: string): Promise<{ id: string }> {
      await remove([await owned(caller, fileId)]);
      return { id: fileId };
    },

    async usage(caller: Caller): Promise<{ usedBytes: number; quotaBytes: number; files: number }> {
      const usage = await usedBytes(pool, caller.user.id);
      return { usedBytes: usage.bytes, quotaBytes: settings.quotaBytes, files: usage.files };
    },

    /** The analytics summary's figures: files kept and their bytes by kind, now (every owner's when userId is null). */
    async usageFigures({ userId }: UsageScope): Promise<UsageSection> {
      const rows = await usageByKind(pool, userId);
      const of = (kind: FileKind) => rows.find((row) => row.kind === kind);
      const sum = (key: "files" | "bytes") => rows.reduce((total, row) => total + row[key], 0);
      return {
        feature: "files",
        title: "Files",
        figures: [
          { key: "files", label: "Files", value: sum("files"), unit: "count", breakdown: FILE_KINDS.map((kind) => ({ key: kind, label: KIND_LABELS[kind], value: of(kind)?.files ?? 0 })) },
          { key: "bytes", label: "Storage used", value: sum("bytes"), unit: "bytes", breakdown: FILE_KINDS.map((kind) => ({ key: kind, label: KIND_LABELS[kind], value: of(kind)?.bytes ?? 0 })) },
        ],
      };
    },

    /** A link to a ready file that works without signing in, until it expires or is revoked. */
    async downloadLink(caller: Caller, fileId: string, expiresInS: number, origin: string) {
      const file = await owned(caller, fileId);
      if (file.status !== "ready") throw new AppError("PRECONDITION_FAILED", "This file is not ready yet: a link can be made once it is.");
      const { secret, linkId, expiresAt } = await createLink(pool, fileId, caller.user.id, expiresInS);
      return { url: `${origin}${downloadPath(fileId)}?token=${secret}`, linkId, expiresAt };
    },

    async revokeDownloadLink(caller: Caller, linkId: string): Promise<{ revoked: true }> {
      if (!(await revokeLink(pool, linkId, caller.user.id))) throw notFound("That link");
      return { revoked: true };
    },

    sweepOldFiles,

    start() {
      if (!settings.retentionDays) return;
      const sweep = () => void sweepOldFiles().catch((err: unknown) => log.warn({ err }, "the file retention sweep failed"));
      sweep();
      retentionTimer = setInterval(sweep, RETENTION_EVERY_MS);
      retentionTimer.unref();
    },

    async stop() {
      clearInterval(retentionTimer);
      await browser?.close();
    },
  };
}

export type FilesService = ReturnType<typeof createFilesService>;
