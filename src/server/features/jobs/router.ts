import { authedProcedure, live, router } from "@/server/trpc/trpc";
import { jobIdInput, listInput, onUpdateInput } from "./schemas.js";
import type { JobsService } from "./service.js";

export const jobsRouter = (jobs: JobsService) =>
  router({
    /** `{ status?, type?, cursor?, limit? }` → `{ items, nextCursor }`, newest first. */
    list: authedProcedure.input(listInput).query(({ ctx, input }) => jobs.list(ctx.caller, input)),

    byId: authedProcedure.input(jobIdInput).query(({ ctx, input }) => jobs.byId(ctx.caller, input.jobId)),

    /** A queued job never runs; a running one is aborted. */
    cancel: authedProcedure.input(jobIdInput).mutation(({ ctx, input }) => jobs.cancel(ctx.caller, input.jobId)),

    /** A failed or cancelled job runs again, its attempts reset. */
    retry: authedProcedure.input(jobIdInput).mutation(({ ctx, input }) => jobs.retry(ctx.caller, input.jobId)),

    /**
     * `{ jobId?, lastEventId? }`: yields `tracked(id, job)` for each change of my jobs (or of one);
     * resume with the last id seen. Ends when the caller's login or token does.
     */
    onUpdate: authedProcedure.input(onUpdateInput).subscription(live(({ ctx, input }) => jobs.onUpdate(ctx.caller, input))),
  });
