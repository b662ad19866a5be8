import { defineFeature } from "../../feature.js";
import { sessionsRouter } from "./router.js";
import { createSessionsService } from "./service.js";

export const sessionsFeature = defineFeature({
  name: "sessions",
  createService: createSessionsService,
  router: sessionsRouter,
  // Streams closed by the drain write their "offline" presence: let that land before the database closes.
  stop: (sessions) => sessions.flush(),
});
