import { Gauge } from "prom-client";
import { defineFeature } from "@/server/feature";
import { JOB_STATUSES } from "@/shared/jobs";
import { jobsRouter } from "./router.js";
import { createJobsService, type JobsService } from "./service.js";

/** Counts this fresh are reused: several scrapers (or a tight scrape interval) cost one count a while. */
const COUNTS_TTL_MS = 5_000;

/** Jobs by status across every instance, read when Prometheus scrapes. */
function jobGauges(jobs: JobsService) {
  let cached: { at: number; counts: ReturnType<JobsService["counts"]> } | undefined;
  const counts = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= COUNTS_TTL_MS) {
      const reading = jobs.counts();
      cached = { at: now, counts: reading };
      // A failed count is not kept: the next scrape asks again.
      reading.catch(() => {
        if (cached?.counts === reading) cached = undefined;
      });
    }
    return cached.counts;
  };
  return [
    new Gauge({
      name: "pulse_jobs",
      help: "Background jobs by status (all instances)",
      labelNames: ["status"],
      registers: [],
      async collect() {
        const byStatus = await counts();
        for (const status of JOB_STATUSES) this.set({ status }, byStatus[status]);
      },
    }),
  ];
}

export const jobsFeature = defineFeature({
  name: "jobs",
  createService: createJobsService,
  router: jobsRouter,
  // Listed after every feature that defines job types: their services are built, so every type
  // is known before the first job runs; on shutdown the workers stop first.
  start: (jobs) => jobs.start(),
  stop: (jobs) => jobs.stop(),
  checks: (jobs) => ({ queue: () => jobs.check() }),
  metrics: jobGauges,
  usage: (jobs) => jobs.usage,
});
