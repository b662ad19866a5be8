import { live, publicProcedure, router, shared } from "@/server/trpc/trpc";
import type { HealthService } from "./service.js";

export const healthRouter = (health: HealthService) =>
  router({
    /** Server time, for clients estimating their clock offset. */
    ping: publicProcedure.query(() => ({ time: Date.now() })),

    // A snapshot is shared by every caller for a second: serialised once for all of them.
    check: publicProcedure.query(async () => shared(await health.snapshot())),

    /** A health snapshot now, then every two seconds. */
    live: publicProcedure.subscription(live(() => health.live())),
  });
