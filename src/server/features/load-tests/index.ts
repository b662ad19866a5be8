import { defineFeature, earlierService } from "@/server/feature";
import type { AuthService } from "@/server/features/auth/service";
import type { FilesService } from "@/server/features/files/service";
import { loadTestRouter } from "./router.js";
import { createLoadTestService } from "./service.js";

export const loadTestsFeature = defineFeature({
  name: "loadTest",
  createService: (app, earlier) => createLoadTestService(app, { auth: earlierService<AuthService>(earlier, "auth"), files: earlierService<FilesService>(earlier, "files") }),
  router: loadTestRouter,
  // Listens for stops asked of another instance; on shutdown this instance's runs end as stopped.
  start: (loadTests) => loadTests.listen(),
  stop: (loadTests) => loadTests.shutdown(),
});
