import { defineFeature } from "@/server/feature";
import { healthRouter } from "./router.js";
import { createHealthService } from "./service.js";

export const healthFeature = defineFeature({
  name: "health",
  createService: createHealthService,
  router: healthRouter,
  start: (health) => health.start(),
  stop: (health) => health.stop(),
});
