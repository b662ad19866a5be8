/**
 * The fan-out benchmark's result file (bench/results/sessions-fanout.json, through
 * bench/lib/report.ts `writeResult`) and its own table in bench/README.md (between the
 * sessions-fanout markers): one row per (N, rate, run), Pulse beside both yardsticks.
 */
import fs from "node:fs";
import path from "node:path";
import { benchDir } from "../lib/processes.js";
import { figure, type BenchResult, type Environment, type Figure } from "../lib/report.js";
import { log, round, thousands, type Percentiles } from "./stats.js";
import type { CpuFigures, FanoutSettings, RunResult, YardstickResult } from "./types.js";

/** The worst p99 of each (N, rate) over its runs: the issue's targets hold "in every run". */
export function worstByStep(runs: RunResult[]): { n: number; ratePerS: number; runs: number; worstP99: number; minDeliveredPct: number; worstRatio: number | null }[] {
  const keys = [...new Set(runs.map((r) => `${r.n}@${r.ratePerS}`))];
  return keys.map((key) => {
    const same = runs.filter((r) => `${r.n}@${r.ratePerS}` === key);
    const ratios = same.map((r) => r.cpuRatioToPrebuilt).filter((x): x is number => x !== null);
    return {
      n: same[0]!.n,
      ratePerS: same[0]!.ratePerS,
      runs: same.length,
      worstP99: Math.max(...same.map((r) => r.fanout.latencyMs.p99)),
      minDeliveredPct: Math.min(...same.map((r) => r.fanout.deliveredPct)),
      worstRatio: ratios.length ? Math.max(...ratios) : null,
    };
  });
}

export function toResult(env: Environment, runs: RunResult[], settings: FanoutSettings, command: string, plan: string, pinned: boolean, priority: number | undefined): BenchResult {
  const figures: Figure[] = [];
  // The N = 1,000 figures of the main table: the worst of its runs at the highest rate planned.
  const at1000 = runs.filter((r) => r.n === 1000);
  const pool = at1000.length ? at1000 : runs.filter((r) => r.n === runs[0]?.n);
  const rate = Math.max(...pool.map((r) => r.ratePerS));
  const candidates = pool.filter((r) => r.ratePerS === rate);
  const worst = candidates.slice().sort((a, b) => b.fanout.latencyMs.p99 - a.fanout.latencyMs.p99)[0];
  if (worst) {
    const of = candidates.length > 1 ? ` (worst of ${candidates.length} runs)` : "";
    const label = `(d) sessions fan-out, ${thousands(worst.n)} subscribers`;
    const l = worst.fanout.latencyMs;
    const p99 = figure(`${label}: delivery p99`, l.p99, "ms", `p99 ${l.p99} ms (p50 ${l.p50}, p95 ${l.p95}, max ${l.max})${of}`, "<", 50, "p99 < 50 ms");
    if (candidates.some((r) => r.fanout.deliveredPct < 100)) p99.pass = false;
    figures.push(p99);
    const least = candidates.slice().sort((a, b) => a.fanout.deliveredPct - b.fanout.deliveredPct)[0]!;
    figures.push(
      figure(`${label}: delivered`, least.fanout.deliveredPct, "%", `${least.fanout.deliveredPct} % (${thousands(least.fanout.delivered)} of ${thousands(least.fanout.expected)})${of}`, ">=", 100, "100 %"),
    );
    const slowestHelp = candidates.slice().sort((a, b) => b.help.host.latencyMs.p99 - a.help.host.latencyMs.p99)[0]!;
    const h = slowestHelp.help.host.latencyMs;
    const helpFigure = figure(`${label}: requestHelp to the host, p99`, h.p99, "ms", `p99 ${h.p99} ms (p50 ${h.p50}, max ${h.max})${of}`, "<", 50, "p99 < 50 ms");
    if (candidates.some((r) => r.help.host.received < r.help.requests)) helpFigure.pass = false;
    figures.push(helpFigure);
    const ratios = candidates.map((r) => r.cpuRatioToPrebuilt).filter((x): x is number => x !== null);
    if (ratios.length) {
      const ratio = Math.max(...ratios);
      const r = candidates.find((c) => c.cpuRatioToPrebuilt === ratio)!;
      figures.push(
        figure(
          `${label}: server CPU per delivery ÷ pre-built frame`,
          ratio,
          "×",
          `${ratio} × (${r.fanout.serverCpuMicrosecondsPerDelivery} vs ${r.prebuilt?.serverCpuMicrosecondsPerDelivery} µs)${of}`,
          "<",
          1.5,
          "< 1.5 ×",
        ),
      );
    }
  }
  return {
    name: "sessions-fanout",
    title: "(d) Live session fan-out: N subscribers, 200 messages at the planned rates",
    date: new Date().toISOString(),
    command,
    environment: env,
    settings: {
      plan,
      messages: settings.messages,
      helpRequests: settings.help,
      helpRatePerS: settings.helpRate,
      connectConcurrency: settings.concurrency,
      drainSeconds: settings.drainMs / 1000,
      clientProcesses: settings.clientProcs ?? "chosen by N × rate: one per 25,000 deliveries/s",
      pinning: pinned ? "server on CPU 1; load generator (publisher and its client processes) on CPU 0; PostgreSQL unpinned" : "none",
      subscribers:
        "bare `ws` sockets in the load generator's client processes speaking tRPC's WebSocket protocol (connectionParams token, then a " +
        "`sessions.events` subscription), each with its own account and API token (seated directly in the database)",
      publisher: "HTTP POST sessions.sendMessage from the load-generator process, on a fixed schedule (not waiting for answers)",
      timing: "send time (performance.timeOrigin + performance.now()) embedded in the message text; receive time read on the same kind of clock in the receiving process when the frame arrives",
      cpu:
        "server CPU from /proc over the fan-out window; load generator CPU = process.cpuUsage of the publisher and every client process over the same window; " +
        "both as % of one core, each with the time its main thread(s) waited runnable for a CPU (/proc/<pid>/schedstat); a side is saturated when CPU + wait ≥ 90 %",
      mode: "API-only server (bench/lib/pulse-server.ts: startPulse without Next, compiled by esbuild and run by plain node as npm start runs the server), NODE_ENV=production, silent logs; a fresh server process per measurement",
      serverNodeArgs: settings.serverArgs,
      priority: priority === undefined ? "default" : `nice ${priority} (load generator, servers and PostgreSQL)`,
      memory: "server RSS (VmRSS, median of 3 samples) and V8 heapUsed, each after forced GCs, with N sockets subscribed after the timed phases, minus before any connected, ÷ N",
      yardsticks:
        "before each Pulse measurement, the same fan-out (same client processes' code, rate, clock and core) through bench/lib/bare-ws-server.ts " +
        "(ws socket.send per socket) and bench/lib/prebuilt-frame-server.ts (one pre-built frame Buffer written to every net.Socket)",
    },
    figures,
    details: { runs, worst: worstByStep(runs) },
    notes: [
      ...runs.map(
        (r) =>
          `N = ${thousands(r.n)} at ${r.ratePerS}/s (run ${r.run}/${r.runs}): ${r.fanout.deliveredPct} % delivered, p50 ${r.fanout.latencyMs.p50} / p95 ${r.fanout.latencyMs.p95} / ` +
          `p99 ${r.fanout.latencyMs.p99} / max ${r.fanout.latencyMs.max} ms; server ${r.fanout.serverCpuMicrosecondsPerDelivery} µs CPU per delivery ` +
          `(${r.fanout.serverCpuPct} % of a core + ${r.fanout.serverWaitPct} % waiting; load generator ${r.fanout.generatorCpuPct} % + ${r.fanout.generatorWaitPct} %, saturated: ${r.fanout.saturated}); ` +
          yardstickNote("bare ws", r.bareWs) +
          yardstickNote("pre-built frame", r.prebuilt) +
          `${r.memory.perConnectionKB} KB RSS / ${r.memory.heapPerConnectionKB ?? "?"} KB heap per connection.`,
      ),
    ],
  };
}

function yardstickNote(name: string, y: YardstickResult | undefined): string {
  return y ? `${name} p99 ${y.latencyMs.p99} ms, ${y.serverCpuMicrosecondsPerDelivery} µs (load generator ${y.generatorCpuPct} %); ` : "";
}

const SECTION_START = "<!-- sessions-fanout:start (generated by `npx tsx bench/sessions-fanout.ts`) -->";
const SECTION_END = "<!-- sessions-fanout:end -->";

/** The "Live sessions fan-out" table in bench/README.md, one row per (N, rate, run). */
export function updateSection(result: BenchResult): void {
  const readme = path.join(benchDir, "README.md");
  const runs = (result.details.runs as RunResult[]).slice().sort((a, b) => a.n - b.n || a.ratePerS - b.ratePerS || a.run - b.run);
  const ms = (p: Percentiles) => `${p.p50} / ${p.p95} / **${p.p99}** / ${p.max}`;
  const cpu = (c: CpuFigures) =>
    `${c.serverCpuMicrosecondsPerDelivery ?? "?"} µs (server ${c.serverCpuPct ?? "?"} % + ${c.serverWaitPct ?? "?"} % waiting, ` +
    `generator ${c.generatorCpuPct} % + ${c.generatorWaitPct} %${c.saturated === "neither" ? "" : `: ${c.saturated} saturated`})`;
  const memory = (m: RunResult["memory"]) => `${m.perConnectionKB} / ${m.heapPerConnectionKB ?? "?"}`;
  const yardstick = (y: YardstickResult | undefined) =>
    y ? `${y.deliveredPct < 100 ? `${y.deliveredPct} % delivered, ` : ""}${ms(y.latencyMs)}; ${cpu(y)}; ${memory(y.memory)} KB` : "—";
  const rows = runs.map(
    (r) =>
      `| ${thousands(r.n)} | ${r.ratePerS}/s${r.runs > 1 ? ` (run ${r.run}/${r.runs})` : ""} | ${r.fanout.deliveredPct} % (${thousands(r.fanout.delivered)} / ${thousands(r.fanout.expected)}) | ` +
      `${ms(r.fanout.latencyMs)} | ${cpu(r.fanout)} | ${yardstick(r.bareWs)} | ${yardstick(r.prebuilt)} | ${r.cpuRatioToPrebuilt ?? "?"} × | ${memory(r.memory)} KB | ` +
      `${r.presence.allOnlineKnown ? `${r.presence.settleWrittenS} s / ${r.presence.settleDeliveredS} s` : "not settled"} | ` +
      `${ms(r.help.host.latencyMs)} (${r.help.host.received}/${r.help.requests}) |`,
  );
  const worst = worstByStep(runs).filter((w) => w.runs > 1);
  const body = [
    SECTION_START,
    `Measured ${result.date.slice(0, 10)} with \`${result.command}\` (Node ${result.environment.node}, ${result.environment.cpuCount} × ${result.environment.cpuModel}, load average ${result.environment.loadAverageAtStart} at start).`,
    "",
    "| N | rate | delivered | latency p50 / p95 / **p99** / max (ms) | server CPU per delivery (server and load generator during fan-out: CPU + waiting for a CPU, % of a core) | bare `ws`: latency (ms); CPU; RSS / heap per connection | pre-built frame: latency (ms); CPU; RSS / heap per connection | server CPU ÷ pre-built | memory per connection: RSS / heap | N connecting at once: everyone online known / delivered | `requestHelp` → host p50 / p95 / **p99** / max (ms) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    ...(worst.length
      ? ["", ...worst.map((w) => `Worst of ${w.runs} runs at N = ${thousands(w.n)}, ${w.ratePerS}/s: p99 ${w.worstP99} ms, ${w.minDeliveredPct} % delivered, CPU ratio to the pre-built frame ${w.worstRatio ?? "?"} ×.`)]
      : []),
    SECTION_END,
  ].join("\n");
  const current = fs.readFileSync(readme, "utf8");
  const start = current.indexOf(SECTION_START.slice(0, 30));
  const end = current.indexOf(SECTION_END);
  if (start === -1 || end === -1) {
    log(`${readme} has no sessions fan-out markers: table not written (add the section from the script's header)`);
    return;
  }
  fs.writeFileSync(readme, current.slice(0, start) + body + current.slice(end + SECTION_END.length));
}

export const ratio = (server: number | null, yardstick: number | null | undefined) =>
  server !== null && yardstick !== null && yardstick !== undefined && yardstick > 0 ? round(server / yardstick, 2) : null;
