/** `analytics.system`: instances now (from the live ticks), the queue, disk use of FILES_DIR, and SystemMinute history. */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import type { App } from "@/server/app";
import type { SystemPoint, SystemResult } from "@/shared/analytics";
import type { LiveTicks } from "./live.js";
import { bucketWidthS } from "./performance.js";
import type { SystemInput } from "./schemas.js";

/** An instance that has sent no tick for this long is not listed. */
const INSTANCE_FRESH_MS = 15_000;
/** Walking a folder of many files is slow: its total is reused for this long. */
const DISK_CACHE_MS = 30_000;

async function walk(dir: string): Promise<{ usedBytes: number; files: number }> {
  let usedBytes = 0;
  let files = 0;
  const pending = [dir];
  while (pending.length) {
    const current = pending.pop()!;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue; // not made yet, or gone meanwhile
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        const stats = await lstat(full).catch(() => null);
        if (!stats) continue;
        usedBytes += stats.size;
        files += 1;
      }
    }
  }
  return { usedBytes, files };
}

export function createSystem(app: App, ticks: LiveTicks) {
  let disk: { at: number; value: Promise<{ usedBytes: number; files: number }> } | undefined;

  function diskUse(): Promise<SystemResult["disk"]> | null {
    const { driver, dir } = app.config.files;
    if (driver !== "disk") return null;
    const now = Date.now();
    if (!disk || now - disk.at >= DISK_CACHE_MS) disk = { at: now, value: walk(dir) };
    return disk.value.then((use) => ({ dir, ...use }));
  }

  async function series(windowS: number, now: Date): Promise<SystemPoint[]> {
    const bucketS = bucketWidthS(windowS);
    const { rows } = await app.pool.query<SystemPoint>(
      `SELECT at, sum(rss)::float8 AS "rssBytes", sum(heap)::float8 AS "heapUsedBytes", max(loop) AS "eventLoopP99Ms",
              round(sum(cpu)::numeric, 1)::float8 AS "cpuPercent", sum(ws)::int AS "wsConnections", max(queue)::int AS "queueDepth"
       FROM (SELECT to_timestamp(floor(extract(epoch FROM minute) / $2) * $2) AS at, instance,
                    max("rssBytes") AS rss, max("heapUsedBytes") AS heap, max("eventLoopP99Ms") AS loop,
                    avg("cpuPercent") AS cpu, max("wsConnections") AS ws, max("queueDepth") AS queue
             FROM "SystemMinute" WHERE minute >= $1 GROUP BY 1, 2) per_instance
       GROUP BY at ORDER BY at`,
      [new Date(now.getTime() - windowS * 1000), bucketS],
    );
    return rows;
  }

  return {
    async system({ windowS }: SystemInput, now = new Date()): Promise<SystemResult> {
      const [counts, backlog, points, diskNow] = await Promise.all([app.queue.counts(), app.queue.backlog(), series(windowS, now), diskUse()]);
      return {
        windowS,
        instances: ticks.instances(INSTANCE_FRESH_MS),
        queue: { queued: counts.queued, running: counts.running, oldestQueuedS: backlog.due ? Math.round(backlog.oldestDueS) : null },
        disk: diskNow,
        series: points,
      };
    },
  };
}
