import { defineFeature, earlierService } from "@/server/feature";
import type { SystemService } from "@/server/features/system/service";
import { adminRouter } from "./router.js";
import { createAdminService } from "./service.js";

export const adminFeature = defineFeature({
  name: "admin",
  createService: (app, earlier) => createAdminService(app, { system: earlierService<SystemService>(earlier, "system") }),
  router: adminRouter,
});
