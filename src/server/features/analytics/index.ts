import { defineFeature } from "@/server/feature";
import { analyticsRouter } from "./router.js";
import { createAnalyticsService } from "./service.js";

export const analyticsFeature = defineFeature({
  name: "analytics",
  createService: createAnalyticsService,
  router: analyticsRouter,
  // Ticks every second (the live snapshot, alerts) and sweeps stale alerts; on shutdown this instance's alerts clear.
  start: (analytics) => analytics.start(),
  stop: (analytics) => analytics.stop(),
});
