import { adminProcedure, authedProcedure, live, router } from "@/server/trpc/trpc";
import { errorsInput, performanceInput, requestsInput, systemInput } from "./schemas.js";
import type { AnalyticsService } from "./service.js";

export const analyticsRouter = (analytics: AnalyticsService) =>
  router({
    /** Usage and traffic of the last 24 hours: the platform's for an admin, the caller's own for anyone else. */
    summary: authedProcedure.query(({ ctx }) => analytics.summary(ctx.caller)),

    /** `{ windowS, route? }`: per route count, rate, error rate and percentiles over the window, every instance merged. */
    performance: adminProcedure.input(performanceInput).query(({ input }) => analytics.performance(input)),

    /** The request log, newest first, filtered; a user sees only their own requests. */
    requests: authedProcedure.input(requestsInput).query(({ ctx, input }) => analytics.requests(ctx.caller, input)),

    /** Errors grouped: an admin's are every fingerprint (with a sample stack); a user's, their own failed requests. */
    errors: authedProcedure.input(errorsInput).query(({ ctx, input }) => analytics.errors(ctx.caller, input)),

    /** Every instance's resources now, the queue, disk use, and their history over the window. */
    system: adminProcedure.input(systemInput).query(({ input }) => analytics.system(input)),

    /** The whole platform, one snapshot a second (with the alerts that hold). Admins only. */
    live: adminProcedure.subscription(live(() => analytics.live())),
  });
