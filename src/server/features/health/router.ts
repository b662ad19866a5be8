import { publicProcedure, router, shared } from "../../trpc/trpc.js";

export const LIVE_INTERVAL_MS = 2_000;

/**
 * Resolves after `ms`, or as soon as `signal` aborts — never rejects. Every `health.live`
 * subscriber that goes away aborts one of these: `timers/promises`' `setTimeout` would reject
 * with an AbortError (a stack trace built for nothing) on each.
 */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export const healthRouter = router({
  /** Server time, for clients estimating their clock offset. */
  ping: publicProcedure.query(() => ({ time: Date.now() })),

  // A snapshot is shared by every caller for a second: serialized once for all of them.
  check: publicProcedure.query(async ({ ctx }) => shared(await ctx.services.health.snapshot())),

  /** A health snapshot now, then every two seconds. */
  live: publicProcedure.subscription(async function* ({ ctx, signal }) {
    while (!signal?.aborted) {
      yield shared(await ctx.services.health.snapshot());
      await pause(LIVE_INTERVAL_MS, signal);
    }
  }),
});
