import { Gauge } from "prom-client";
import { defineFeature } from "@/server/feature";
import { JOB_STATUSES } from "@/shared/jobs";
import { jobsRouter } from "./router.js";
import { createJobsService, type JobsService } from "./service.js";

/** Jobs by status across every instance, read when Prometheus scrapes. */
function jobGauges(jobs: JobsService) {
  return [
    new Gauge({
      name: "pulse_jobs",
      help: "Background jobs by status (all instances)",
      labelNames: ["status"],
      registers: [],
      async collect() {
        const counts = await jobs.counts();
        for (const status of JOB_STATUSES) this.set({ status }, counts[status]);
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
});
