/**
 * File generation — `npx tsx bench/files.ts [--no-write] [--runs=20] [--rows=100000]`.
 *
 * In this process, no server: the renderers and the export are plain functions.
 * - 10-page PDF (pdfkit) and DOCX (docx) of one generated document (headings, paragraphs,
 *   bullets, a table, an image): p50/p95 over `--runs` renders each, after 2 warm-up renders,
 *   the PDF read to its end, the DOCX packed into its Buffer.
 * - A `--rows`-row CSV export of the Job table: one user's rows seeded with SQL into a throwaway
 *   database (bench/lib/database.ts), read by exportRows in keyset pages of 1,000, through
 *   csvStream, written to the disk storage driver in a temp folder. Time, and peak RSS above idle:
 *   process.memoryUsage().rss sampled every 50 ms, idle being the RSS just before the export
 *   (after a GC when run with --expose-gc, as `node --expose-gc --import tsx` does).
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { PNG } from "pngjs";
import { migrate } from "@/server/db/migrate";
import { exportRows } from "@/server/features/files/exports";
import { csvStream } from "@/server/features/files/render/csv";
import { renderDocx } from "@/server/features/files/render/docx";
import { renderPdf } from "@/server/features/files/render/pdf";
import { createDiskStorage } from "@/server/features/files/storage";
import { createLogger } from "@/server/log";
import { documentSchema, type DocumentModel } from "@/shared/files/document";
import { openBenchDatabase, type BenchDatabase } from "./lib/database.js";
import { environment, figure, updateReadme, writeResult, type BenchResult } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "20" },
    rows: { type: "string", default: "100000" },
    "no-write": { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs);
const ROWS = Number(args.rows);
const MB = 1_000_000;

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const log = (message: string) => console.log(`[files] ${message}`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** About a page per section: a long paragraph, bullets and a 16-row table; an image in the first. */
function tenPageDocument(): DocumentModel {
  const png = new PNG({ width: 400, height: 200 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([(i / 4) % 255, 120, 200, 255], i);
  const dataUrl = `data:image/png;base64,${PNG.sync.write(png).toString("base64")}`;
  return documentSchema.parse({
    title: "Benchmark report",
    author: "Pulse bench",
    sections: Array.from({ length: 10 }, (_, s) => ({
      heading: `Section ${s + 1}`,
      paragraphs: ["Steady breathing lowers the heart rate and calms the mind. ".repeat(22), "A second, shorter paragraph. ".repeat(8)],
      bullets: ["First point", "Second point", "Third point"],
      table: { header: ["Metric", "Value", "Note"], rows: Array.from({ length: 16 }, (_, r) => [`metric ${r + 1}`, String(r * 3), `note ${r}`]) },
      ...(s === 0 ? { image: { dataUrl, alt: "A gradient" } } : {}),
    })),
  });
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

async function timeRuns(runs: number, once: () => Promise<number>) {
  for (let i = 0; i < 2; i++) await once();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    bytes = await once();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), max: round(times.at(-1) ?? Number.NaN), bytes };
}

async function seedJobs(pool: pg.Pool, rows: number): Promise<string> {
  const { rows: users } = await pool.query<{ id: string }>(
    `INSERT INTO "User" (id, email, name, "passwordHash", "updatedAt") VALUES (gen_random_uuid(), 'bench@example.com', 'Bench', 'x', now()) RETURNING id`,
  );
  const ownerId = users[0]!.id;
  await pool.query(
    `INSERT INTO "Job" (id, "ownerId", type, status, seq, progress, message, "createdAt", "startedAt", "finishedAt")
     SELECT gen_random_uuid(), $1, 'csv', 'succeeded', g, 100, 'Exported, row ' || g, t, t + interval '1 second', t + interval '2 seconds'
     FROM generate_series(1, $2::int) g, LATERAL (SELECT timestamptz '2026-01-01T00:00:00Z' + g * interval '1 second' AS t) times`,
    [ownerId, rows],
  );
  await pool.query(`ANALYZE "Job"`);
  return ownerId;
}

async function csvExport(pool: pg.Pool, ownerId: string) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-bench-files-"));
  try {
    const storage = createDiskStorage(dir);
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const idle = process.memoryUsage().rss;
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    const { header, rows } = exportRows(pool, ownerId, "jobs");
    const written = await storage.write("bench-export", csvStream(header, rows));
    const ms = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const lines = (await fs.readFile(path.join(dir, "bench-export"), "utf8")).split("\r\n").length - 2;
    return { ms: round(ms), idleRss: idle, peakRss: peak, aboveIdleMB: round((peak - idle) / MB, 1), bytes: written.size, rows: lines, gcBeforeIdle: Boolean(gc) };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  const env = environment();
  log(`Node ${env.node}, ${env.cpuCount} CPUs, load average ${env.loadAverageAtStart}`);
  let database: BenchDatabase | undefined;
  let pool: pg.Pool | undefined;
  let csv: Awaited<ReturnType<typeof csvExport>>;
  try {
    database = await openBenchDatabase();
    await migrate(database.url, createLogger("warn"));
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    log(`database: ${database.kind}; seeding ${ROWS.toLocaleString("en")} jobs`);
    const ownerId = await seedJobs(pool, ROWS);
    // First, before the renderers have grown the heap: the idle figure is the process at rest.
    csv = await csvExport(pool, ownerId);
    log(`CSV export: ${csv.rows.toLocaleString("en")} rows, ${round(csv.bytes / MB, 1)} MB in ${csv.ms} ms, peak RSS ${csv.aboveIdleMB} MB above idle`);
  } finally {
    await pool?.end();
    await database?.close();
  }

  const doc = tenPageDocument();
  const parts: Buffer[] = [];
  for await (const chunk of renderPdf(doc)) parts.push(chunk as Buffer);
  const pdfBytes = Buffer.concat(parts);
  const pdfPages = (pdfBytes.toString("latin1").match(/\/Type \/Page\b/g) ?? []).length;
  const pdf = await timeRuns(RUNS, () => drain(renderPdf(doc)));
  log(`PDF (${pdfPages} pages, ${round(pdf.bytes / 1000, 1)} KB): p50 ${pdf.p50} ms, p95 ${pdf.p95} ms`);
  const docx = await timeRuns(RUNS, async () => (await renderDocx(doc)).length);
  log(`DOCX (${round(docx.bytes / 1000, 1)} KB): p50 ${docx.p50} ms, p95 ${docx.p95} ms`);

  const result: BenchResult = {
    name: "files",
    title: "(f) File generation: 10-page PDF and DOCX, 100,000-row CSV export",
    date: new Date().toISOString(),
    command: `${csv.gcBeforeIdle ? "node --expose-gc --import tsx" : "npx tsx"} bench/files.ts${RUNS !== 20 ? ` --runs=${RUNS}` : ""}${ROWS !== 100_000 ? ` --rows=${ROWS}` : ""}`,
    environment: env,
    settings: { runs: RUNS, warmUpRuns: 2, csvRows: ROWS, exportPageRows: 1_000, rssSampleMs: 50, database: database?.kind },
    figures: [
      figure("(f) files: 10-page PDF render, p50", pdf.p50, "ms", `p50 ${pdf.p50} ms (p95 ${pdf.p95}, max ${pdf.max}; ${pdfPages} pages)`, "<", 1_000, "p50 < 1 s"),
      figure("(f) files: 10-page DOCX render, p50", docx.p50, "ms", `p50 ${docx.p50} ms (p95 ${docx.p95}, max ${docx.max})`, "<", 1_000, "p50 < 1 s"),
      figure(
        "(f) files: 100,000-row CSV export, peak RSS above idle",
        csv.aboveIdleMB,
        "MB",
        `${csv.aboveIdleMB} MB (${csv.rows.toLocaleString("en")} rows, ${round(csv.bytes / MB, 1)} MB of CSV in ${round(csv.ms / 1000, 2)} s)`,
        "<",
        100,
        "< 100 MB",
      ),
    ],
    details: { pdf: { ...pdf, pages: pdfPages }, docx, csv },
    notes: [
      `PDF and DOCX: ${RUNS} renders each of one 10-section document (about ${pdfPages} PDF pages; paragraphs, bullets, a 16-row table per section, one 400×200 PNG), after 2 warm-up renders, in one process.`,
      `CSV: ${csv.rows.toLocaleString("en")} Job rows of one user read by exportRows in keyset pages of 1,000, through csvStream (formula neutralisation, RFC 4180), into the disk storage driver, in ${round(csv.ms / 1000, 2)} s; RSS sampled every 50 ms${csv.gcBeforeIdle ? ", idle taken after a GC" : ""}.`,
      "The 1 s budget for PDF/DOCX is ours; the issue sets none.",
    ],
  };
  if (!args["no-write"]) {
    writeResult(result);
    updateReadme();
  }
  console.log("");
  for (const f of result.figures) console.log(`${f.pass ? "PASS" : "FAIL"}  ${f.label}: ${f.display}  (target ${f.target.display})`);
  console.log(args["no-write"] ? "\nNot written (--no-write)." : "\nWrote bench/results/files.json and bench/README.md.");
  if (result.figures.some((f) => !f.pass)) process.exitCode = 1;
}

await main();
