import { Gauge } from "prom-client";
import { defineFeature } from "@/server/feature";
import { sessionsRouter } from "./router.js";
import { createSessionsService, type SessionsService } from "./service.js";

/** Sessions under way and the people in them, read from the database when Prometheus scrapes. */
function underWayGauges(sessions: SessionsService) {
  let reading: Promise<{ sessions: number; participants: number }> | undefined;
  // Both gauges are collected in one scrape: one pair of counts for both.
  const underWay = () => (reading ??= sessions.underWay().finally(() => setImmediate(() => (reading = undefined))));
  return [
    new Gauge({
      name: "pulse_sessions_under_way",
      help: "Live sessions that are live or paused (all instances)",
      registers: [],
      async collect() {
        this.set((await underWay()).sessions);
      },
    }),
    new Gauge({
      name: "pulse_session_participants_present",
      help: "People present in live or paused sessions (all instances)",
      registers: [],
      async collect() {
        this.set((await underWay()).participants);
      },
    }),
  ];
}

export const sessionsFeature = defineFeature({
  name: "sessions",
  createService: createSessionsService,
  router: sessionsRouter,
  // Streams closed by the drain write their "offline" presence: let that land before the database closes.
  stop: (sessions) => sessions.flush(),
  metrics: underWayGauges,
  usage: (sessions) => sessions.usage,
});
