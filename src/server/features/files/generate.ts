/**
 * Making a file is a job: one job type per kind. An attempt renders the body, streams it into
 * storage under the file's key, and — in the transaction that ends the job `succeeded` — marks
 * the file ready with its size and sha256. An attempt that fails, is cancelled or loses its claim
 * leaves no body behind; the file row follows its job (failed, or pending again on retry).
 */
import { Readable } from "node:stream";
import type pg from "pg";
import type { Logger } from "@/server/log";
import { PermanentJobError, type JobContext, type JobQueue } from "@/server/queue/queue";
import { FILE_JOB_TYPES, formatBytes } from "@/shared/files";
import type { BrowserPool } from "./browser/browser.js";
import { exportRows } from "./exports.js";
import { csvStream } from "./render/csv.js";
import { fileById, usedBytes } from "./rows.js";
import type { CreateInput } from "./schemas.js";
import type { FileStorage } from "./storage/index.js";

export interface GenerateDeps {
  pool: pg.Pool;
  storage: FileStorage;
  browser: () => BrowserPool;
  quotaBytes: number;
  log: Logger;
}


/**
 * The body of a file. A document's rendering fails the same way every time (a broken image):
 * such failures are permanent, not retried. Captures and exports may succeed on a later attempt.
 */
async function produce(input: CreateInput, context: JobContext<CreateInput>, deps: GenerateDeps): Promise<Readable> {
  const { signal } = context;
  switch (input.kind) {
    // The renderers and the browser load on first use: pdfkit, docx and puppeteer-core hold some
    // 60 MB, which a server that never makes a file should not carry.
    case "pdf":
    case "docx":
      try {
        context.progress(20, "Laying out the document");
        if (input.kind === "pdf") return (await import("./render/pdf.js")).renderPdf(input.document);
        return Readable.from([await (await import("./render/docx.js")).renderDocx(input.document)]);
      } catch (error) {
        throw new PermanentJobError(error instanceof Error ? error.message : "The document could not be rendered.");
      }
    case "csv": {
      context.progress(20, input.export ? "Exporting your data" : "Writing the rows");
      if (input.export) {
        const { header, rows } = exportRows(deps.pool, context.ownerId, input.export);
        return csvStream(header, rows);
      }
      const [header = [], ...rows] = input.rows ?? [];
      return csvStream(header, rows);
    }
    case "screenshot":
    case "pagepdf": {
      const { capture } = await import("./browser/capture.js");
      const bytes = await capture(deps.browser(), input, { signal, onProgress: (percent, message) => context.progress(percent, message) });
      return Readable.from([bytes]);
    }
  }
}

async function run(context: JobContext<CreateInput>, deps: GenerateDeps): Promise<void> {
  const { job, signal } = context;
  const file = job.fileId ? await fileById(deps.pool, job.fileId) : null;
  if (!file) throw new PermanentJobError("The file was deleted before it was made.");
  const key = file.storageKey;
  try {
    const body = await produce(context.payload, context, deps);
    context.progress(80, "Saving the file");
    const stored = await deps.storage.write(key, body, signal);
    const usage = await usedBytes(deps.pool, context.ownerId);
    if (usage.bytes + stored.size > deps.quotaBytes) {
      throw new PermanentJobError(
        `This file (${formatBytes(stored.size)}) would take your storage past its ${formatBytes(deps.quotaBytes)} quota. Delete some files, then retry.`,
      );
    }
    const kept = await context.complete(async (client) => {
      await client.query(`UPDATE "File" SET status = 'ready', size = $2, sha256 = $3, "readyAt" = now() WHERE id = $1`, [file.id, stored.size, stored.sha256]);
    }, `Ready: ${formatBytes(stored.size)}`);
    // Cancelled, or taken over by another worker meanwhile: this attempt's body is not the file's.
    if (!kept) await deps.storage.delete(key);
  } catch (error) {
    await deps.storage.delete(key).catch((err: unknown) => deps.log.warn({ err, fileId: file.id }, "could not remove a failed attempt's file body"));
    throw error;
  }
}

/** Registers one job type per kind on the queue. */
export function defineFileJobs(queue: JobQueue, deps: GenerateDeps): void {
  for (const type of Object.values(FILE_JOB_TYPES)) {
    queue.define<CreateInput>(type, {
      run: (context) => run(context, deps),
      async onSettle(client, job) {
        if (job.status === "queued") {
          await client.query(`UPDATE "File" SET status = 'pending', size = 0, sha256 = NULL, "readyAt" = NULL WHERE "jobId" = $1`, [job.id]);
        } else {
          await client.query(`UPDATE "File" SET status = 'failed' WHERE "jobId" = $1 AND status = 'pending'`, [job.id]);
        }
      },
    });
  }
}
