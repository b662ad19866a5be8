/**
 * Where a subscribed, idle connection's heap bytes go — `npx tsx bench/fanout-heap.ts [--n=1000]`.
 *
 * Starts the Pulse server as the fan-out benchmark does (bench/lib/pulse-server.ts, API only,
 * `--expose-gc`), seats N subscribers in one session, and takes two V8 heap snapshots of the
 * server over IPC (`v8.writeHeapSnapshot` after a full collection): with none subscribed (after a
 * warm-up of a few connections, opened and closed, so that lazily built code and caches are in both)
 * and with the N subscribed and idle (presence settled). Prints the heap per connection and the top
 * constructors by self size added per connection (bench/fanout/heap-snapshot.ts). The snapshots are
 * left in bench/results/profiles/ (not committed: they are large) unless --delete.
 *
 * Options: --n=1000 --top=10 --delete --priority=-10
 */
import path from "node:path";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { createAccounts, setupCall, type Account } from "./fanout/accounts.js";
import { ClientPool } from "./fanout/client-pool.js";
import { perConnection, readSnapshot } from "./fanout/heap-snapshot.js";
import { log, round, thousands } from "./fanout/stats.js";
import { openBenchDatabase } from "./lib/database.js";
import { benchDir, setOwnPriority, startServer } from "./lib/processes.js";

const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "1000" },
    top: { type: "string", default: "10" },
    delete: { type: "boolean", default: false },
    priority: { type: "string" },
  },
});
const N = Number(args.n);
const TOP = Number(args.top);
const WARM_UP = 10;

if (args.priority !== undefined && !setOwnPriority(Number(args.priority))) throw new Error(`could not set priority ${args.priority}`);
const database = await openBenchDatabase();
const server = await startServer("lib/pulse-server.ts", { env: { NODE_ENV: "production", BENCH_DATABASE_URL: database.url }, nodeArgs: ["--expose-gc"], bundled: true });
const dir = path.join(benchDir, "results", "profiles");
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const snapshot = async (label: string) => {
  const reply = await server.ask<{ file: string }>("heap-snapshot", { file: path.join(dir, `fanout-heap-${stamp}-${label}.heapsnapshot`) }, 300_000);
  if (!reply) throw new Error("the server wrote no heap snapshot");
  // The bundled server's reply has been seen to arrive before the file was complete: wait until it stops growing.
  for (let size = -1; size !== fs.statSync(reply.file).size; await sleep(1_000)) size = fs.statSync(reply.file).size;
  const usage = (await server.ask<{ usage: NodeJS.MemoryUsage }>("gc", {}, 60_000))?.usage;
  return { file: reply.file, heapUsed: usage?.heapUsed ?? NaN };
};
try {
  const [host] = (await createAccounts(database.url, ["Bench Host"])) as [Account];
  const session = await setupCall<{ id: string }>(server.url, "sessions.create", { kind: "breathing", title: "Heap", capacity: 10_000 }, host.token);
  const accounts = await createAccounts(
    database.url,
    Array.from({ length: N + WARM_UP }, (_, i) => `Subscriber ${i + 1}`),
    { sessionId: session.id },
  );
  const tokens = accounts.map((a) => a.token);

  // Warm-up: a few connections through the whole path, closed again.
  const warm = await ClientPool.start(1, undefined);
  await warm.openPulse(server.url, tokens.slice(N), session.id, 1, WARM_UP);
  await sleep(2_000);
  await warm.stop();
  await sleep(3_000);
  const empty = await snapshot("0");
  log(`snapshot with 0 subscribed: ${path.relative(process.cwd(), empty.file)} (heap ${round(empty.heapUsed / 2 ** 20, 1)} MB)`);

  const pool = await ClientPool.start(1, undefined);
  try {
    const opened = await pool.openPulse(server.url, tokens.slice(0, N), session.id, 1, 50);
    log(`${thousands(opened.ok)} subscribed (${opened.failures.length} failed); letting presence settle`);
    // Idle: no presence deliveries for 3 s.
    let last = -1;
    for (let quiet = 0; quiet < 3_000; quiet += 500) {
      await sleep(500);
      const now = (await pool.stats()).presenceDeliveries;
      if (now !== last) [last, quiet] = [now, 0];
    }
    const full = await snapshot(String(N));
    log(`snapshot with ${thousands(opened.ok)} subscribed: ${path.relative(process.cwd(), full.file)} (heap ${round(full.heapUsed / 2 ** 20, 1)} MB)`);

    const before = readSnapshot(empty.file);
    const after = readSnapshot(full.file);
    const table = (title: string, rows: ReturnType<typeof perConnection>) => {
      console.log(`\n${title}\n\n| constructor | objects per connection | bytes per connection (self size) |\n| --- | --- | --- |`);
      for (const r of rows.slice(0, TOP)) console.log(`| \`${r.constructor}\` | ${round(r.countPerConnection, 2)} | ${Math.round(r.bytesPerConnection)} |`);
    };
    console.log(
      `\nHeap per subscribed idle connection: ${round((after.totalBytes - before.totalBytes) / 1024 / opened.ok, 2)} KB in the snapshots ` +
        `(heapUsed after GC: ${round((full.heapUsed - empty.heapUsed) / 1024 / opened.ok, 2)} KB), N = ${thousands(opened.ok)}`,
    );
    table("By constructor, as DevTools' summary groups them:", perConnection(before, after, opened.ok));
    table("Finer: closures by function name, property/element stores by their object's constructor:", perConnection(before, after, opened.ok, "detailed"));
    if (args.delete) for (const f of [empty.file, full.file]) fs.rmSync(f);
  } finally {
    await pool.stop();
  }
} finally {
  await server.stop();
  await database.close();
}
