import { defineFeature } from "@/server/feature";
import { systemRouter } from "./router.js";
import { createSystemService } from "./service.js";

/**
 * Maintenance mode and broadcasts: the state and the `system.*` procedures everyone uses. Admins
 * switch and send them through the admin feature; the transport asks `checkMutation` before every
 * mutation (trpc.ts).
 */
export const systemFeature = defineFeature({
  name: "system",
  createService: createSystemService,
  router: systemRouter,
  // Reads maintenance mode before the server listens, then follows its changes.
  start: (system) => system.start(),
  stop: (system) => system.stop(),
});
