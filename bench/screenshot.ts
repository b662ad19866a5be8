/**
 * Page screenshot with a warm browser — `npx tsx bench/screenshot.ts [--captures=50] [--gap-ms=1000]
 * [--priority=-10] [--no-write]` (--priority: as root, this process and Chromium at a higher
 * scheduling priority than other work on a shared machine, as `npm run bench` does).
 *
 * A small local page (bare node:http on 127.0.0.1, reached as http://localhost:PORT/ with
 * "localhost" allowed), captured as a 1280×800 PNG by the same BrowserPool and `capture` the
 * files feature uses: egress proxy, incognito context per capture, scheme interception, settle
 * wait. The browser is started and 5 captures are made before timing, so the figure is the warm
 * path. Captures run one at a time, `--gap-ms` (1000) apart as jobs arrive, which leaves the pool
 * the moment it needs to make its spare context and page (`--gap-ms=0`: back to back, the
 * spare is still being made when the next capture starts). Each is timed from the call to the PNG in hand, and split
 * into phases by the capture's own progress reports (context + page + navigation, settle,
 * screenshot). Yardstick: the same page fetched with Node's `fetch`, to show what the machine
 * takes for the HTTP round trip alone.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { BrowserPool } from "@/server/features/files/browser/browser";
import { capture } from "@/server/features/files/browser/capture";
import { parseAllowHosts } from "@/server/features/files/browser/guard";
import { setOwnPriority } from "./lib/processes.js";
import { environment, figure, updateReadme, writeResult, type BenchResult } from "./lib/report.js";

const { values: args } = parseArgs({
  options: {
    captures: { type: "string", default: "50" },
    warmup: { type: "string", default: "5" },
    "gap-ms": { type: "string", default: "1000" },
    priority: { type: "string" },
    "no-write": { type: "boolean", default: false },
  },
});
const captures = Number(args.captures);
const warmup = Number(args.warmup);
const gapMs = Number(args["gap-ms"]);

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Bench</title>
<style>body{font-family:sans-serif;margin:40px}h1{color:#36c}</style></head>
<body><h1>Pulse screenshot benchmark</h1><p>${"A small local page with a little text. ".repeat(20)}</p>
<ul>${Array.from({ length: 10 }, (_, i) => `<li>Item ${i + 1}</li>`).join("")}</ul></body></html>`;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), min: round(sorted[0]!), max: round(sorted.at(-1)!) };
}

async function main(): Promise<void> {
  const started = performance.now();
  const priority = args.priority === undefined ? undefined : Number(args.priority);
  // Before Chromium starts, so that it inherits the priority.
  if (priority !== undefined && !setOwnPriority(priority)) throw new Error(`could not set priority ${priority} (raising it needs root)`);
  const env = environment();
  const server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}/`;
  const pool = new BrowserPool({ allowHosts: parseAllowHosts("localhost") });

  const launchStarted = performance.now();
  await pool.warm();
  const launchMs = performance.now() - launchStarted;
  for (let i = 0; i < warmup; i++) await capture(pool, { kind: "screenshot", url });

  const totals: number[] = [];
  const phases = { open: [] as number[], settle: [] as number[], shoot: [] as number[] };
  let bytes = 0;
  for (let i = 0; i < captures; i++) {
    await sleep(gapMs);
    const marks = new Map<number, number>();
    const t0 = performance.now();
    const png = await capture(pool, { kind: "screenshot", url, width: 1280, height: 800 }, { onProgress: (percent) => marks.set(percent, performance.now()) });
    const t1 = performance.now();
    totals.push(t1 - t0);
    bytes += png.length;
    const [opening, settling, shooting] = [marks.get(15), marks.get(60), marks.get(75)];
    if (opening && settling && shooting) {
      phases.open.push(settling - t0);
      phases.settle.push(shooting - settling);
      phases.shoot.push(t1 - shooting);
    }
  }

  const fetches: number[] = [];
  for (let i = 0; i < warmup + captures; i++) {
    const t0 = performance.now();
    await (await fetch(url)).text();
    if (i >= warmup) fetches.push(performance.now() - t0);
  }
  await pool.close();
  server.close();

  const total = summary(totals);
  const yardstick = summary(fetches);
  const breakdown = { open: summary(phases.open), settle: summary(phases.settle), screenshot: summary(phases.shoot) };
  console.log(`\nScreenshot, warm browser, ${captures} captures ${gapMs} ms apart of a small local page (1280×800 PNG, ${Math.round(bytes / captures / 1024)} KiB each):`);
  console.table({
    "capture (total)": total,
    "  address check + page + navigation": breakdown.open,
    "  settle (network idle 100 ms, cap 2 s)": breakdown.settle,
    "  screenshot": breakdown.screenshot,
    "plain fetch of the same page": yardstick,
  });
  console.log(`Browser launch (cold, not in the figure): ${round(launchMs)} ms.`);

  const result: BenchResult = {
    name: "screenshot",
    title: "(s) Page screenshot with a warm browser",
    date: new Date().toISOString(),
    command: `npx tsx bench/screenshot.ts${priority === undefined ? "" : ` --priority=${priority}`}${gapMs === 1000 ? "" : ` --gap-ms=${gapMs}`}`,
    environment: env,
    settings: { captures, warmup, gapMs, priority: priority === undefined ? "default" : `nice ${priority} (this process and Chromium)`, width: 1280, height: 800, poolSize: pool.size, page: "local, bare node:http, ~1 KB HTML" },
    figures: [
      figure(
        "(s) page screenshot, warm browser, 1280×800 PNG: p50",
        total.p50,
        "ms",
        `p50 ${total.p50} ms (p95 ${total.p95}, min ${total.min}, max ${total.max}; plain fetch p50 ${yardstick.p50} ms)`,
        "<",
        400,
        "p50 < 400 ms",
      ),
    ],
    details: { totalMs: total, fetchMs: yardstick, phasesMs: breakdown, launchMs: round(launchMs), pngBytesAverage: Math.round(bytes / captures), rawTotalsMs: totals.map((t) => round(t)) },
    notes: [
      `${captures} captures one at a time, ${gapMs} ms apart, after ${warmup} warm-up ones, each through the egress proxy in its own incognito context (made while the pool was idle);`,
      `phases p50: navigation ${breakdown.open.p50} ms (address check, spare page, load), settle ${breakdown.settle.p50} ms (network idle for 100 ms, at most 2 s), screenshot ${breakdown.screenshot.p50} ms.`,
      `Yardstick: the same page with Node's fetch, p50 ${yardstick.p50} ms. Cold browser launch ${round(launchMs)} ms (not in the figure).`,
    ],
  };
  let readme = false;
  if (!args["no-write"]) {
    writeResult(result);
    try {
      updateReadme();
      readme = true;
    } catch (error) {
      // results/feature-modules-before-after.json is not a BenchResult (no figures): the table cannot be rebuilt until it is.
      console.warn(`bench/README.md not updated: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(`\n${args["no-write"] ? "Not written (--no-write)." : `Wrote bench/results/screenshot.json${readme ? " and bench/README.md" : ""}.`} Took ${round((performance.now() - started) / 1000, 1)} s.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
