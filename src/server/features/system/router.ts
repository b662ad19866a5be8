import { authedProcedure, live, publicProcedure, router } from "@/server/trpc/trpc";
import { eventsInput, markReadInput } from "./schemas.js";
import type { SystemService } from "./service.js";

export const systemRouter = (system: SystemService) =>
  router({
    /**
     * `{ maintenance, unread, lastEventId }`: maintenance mode (signed out too: the sign-in page
     * shows the banner), the caller's unread broadcasts, and where to follow `events` from.
     */
    status: publicProcedure.query(({ ctx }) => system.status(ctx.caller)),

    /** `{ upToId }`: broadcasts up to this id are read, on every device → `{ lastReadId }`. Works during maintenance. */
    markRead: authedProcedure.input(markReadInput).mutation(({ ctx, input }) => system.markRead(ctx.caller, input.upToId)),

    /**
     * `{ lastEventId? }`: yields `tracked(id, { type: "broadcast", broadcast } | { type: "maintenance",
     * maintenance })` to everyone signed in; resumable. Ends when the caller's login or token does.
     */
    events: authedProcedure.input(eventsInput).subscription(live(({ input }) => system.events(input.lastEventId))),
  });
