import { setTimeout as sleep } from "node:timers/promises";
import { publicProcedure, router } from "../../trpc/trpc.js";

export const LIVE_INTERVAL_MS = 2_000;

export const healthRouter = router({
  /** Server time, for clients estimating their clock offset. */
  ping: publicProcedure.query(() => ({ time: Date.now() })),

  check: publicProcedure.query(({ ctx }) => ctx.services.health.snapshot()),

  /** A health snapshot now, then every two seconds. */
  live: publicProcedure.subscription(async function* ({ ctx, signal }) {
    while (!signal?.aborted) {
      yield await ctx.services.health.snapshot();
      await sleep(LIVE_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
    }
  }),
});
