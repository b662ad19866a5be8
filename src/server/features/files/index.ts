import { defineFeature } from "@/server/feature";
import { filesRouter } from "./router.js";
import { createFilesService } from "./service.js";

export const filesFeature = defineFeature({
  name: "files",
  createService: createFilesService,
  router: filesRouter,
  routes: (files) => [files.downloadRoute],
  // The retention sweep; on shutdown, the shared browser closes (after the job workers have stopped: jobs is listed later).
  start: (files) => files.start(),
  stop: (files) => files.stop(),
  usage: (files) => files.usageFigures,
});
