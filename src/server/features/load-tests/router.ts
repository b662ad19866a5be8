import { adminProcedure, live, router } from "@/server/trpc/trpc";
import { exportInput, listInput, progressInput, runIdInput, startInput } from "./schemas.js";
import type { LoadTestService } from "./service.js";

export const loadTestRouter = (loadTests: LoadTestService) =>
  router({
    /** The bounds, which scenarios this server can run (chat needs the stand-in), and the run in progress, if any. */
    options: adminProcedure.query(() => loadTests.options()),

    /**
     * `{ scenario, connections, durationS, ratePerS? }` → `{ runId }`. One run at a time across every
     * instance: CONFLICT while another runs. Out-of-bound values are BAD_REQUEST.
     */
    start: adminProcedure.input(startInput).mutation(({ ctx, input }) => loadTests.start(ctx.caller, input, ctx.meta)),

    /** Stops a running run (its load generator ends within two seconds) → the run as kept. */
    stop: adminProcedure.input(runIdInput).mutation(({ ctx, input }) => loadTests.stop(ctx.caller, input.runId, ctx.meta)),

    /** A run with its full result (series, histogram, comparison with the previous run of its scenario). */
    byId: adminProcedure.input(runIdInput).query(({ input }) => loadTests.byId(input.runId)),

    /** `{ scenario?, status?, cursor?, limit? }` → `{ items, nextCursor }`, newest first, without series. */
    list: adminProcedure.input(listInput).query(({ input }) => loadTests.list(input)),

    /** A CSV of the per-second series, or a one-page PDF report, made by the files feature → `{ file, job }`. */
    export: adminProcedure.input(exportInput).mutation(({ ctx, input }) => loadTests.export(ctx.caller, input)),

    /**
     * `{ runId, lastEventId? }`: yields `tracked(id, snapshot)` each second while the run goes, then
     * `tracked(id, { type: "end", status, result })` and ends. Resumable with the last id seen.
     */
    progress: adminProcedure.input(progressInput).subscription(live(({ input }) => loadTests.progress(input))),
  });
