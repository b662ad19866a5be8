import { authedProcedure, live, router } from "@/server/trpc/trpc";
import type { SessionsService } from "./service.js";
import {
  byIdInput,
  createInput,
  eventsInput,
  historyInput,
  joinInput,
  listInput,
  requestHelpInput,
  sendMessageInput,
  sessionInput,
  updateStateInput,
} from "./schemas.js";

export const sessionsRouter = (sessions: SessionsService) =>
  router({
    create: authedProcedure.input(createInput).mutation(({ ctx, input }) => sessions.create(ctx.caller, input)),

    list: authedProcedure.input(listInput).query(({ ctx, input }) => sessions.list(ctx.caller, input)),

    byId: authedProcedure.input(byIdInput).query(({ ctx, input }) => sessions.byId(ctx.caller, input.sessionId)),

    join: authedProcedure.input(joinInput).mutation(({ ctx, input }) => sessions.join(ctx.caller, input)),

    leave: authedProcedure.input(sessionInput).mutation(({ ctx, input }) => sessions.leave(ctx.caller, input.sessionId)),

    start: authedProcedure.input(sessionInput).mutation(({ ctx, input }) => sessions.start(ctx.caller, input.sessionId)),

    pause: authedProcedure.input(sessionInput).mutation(({ ctx, input }) => sessions.pause(ctx.caller, input.sessionId)),

    resume: authedProcedure.input(sessionInput).mutation(({ ctx, input }) => sessions.resume(ctx.caller, input.sessionId)),

    end: authedProcedure.input(sessionInput).mutation(({ ctx, input }) => sessions.end(ctx.caller, input.sessionId)),

    sendMessage: authedProcedure.input(sendMessageInput).mutation(({ ctx, input }) => sessions.sendMessage(ctx.caller, input)),

    updateState: authedProcedure.input(updateStateInput).mutation(({ ctx, input }) => sessions.updateState(ctx.caller, input)),

    requestHelp: authedProcedure
      .input(requestHelpInput)
      .mutation(({ ctx, input }) => sessions.requestHelp(ctx.caller, input, ctx.meta)),

    history: authedProcedure.input(historyInput).query(({ ctx, input }) => sessions.history(ctx.caller, input)),

    /**
     * `{ sessionId, lastEventId? }`: the session's events (present participants only). Without a
     * session id: every session's help requests (admins only). Yields `tracked(eventId, event)`;
     * the client resumes from the last id it saw. The checks run before the stream starts, so a
     * refused subscription fails with its own code (FORBIDDEN, NOT_FOUND).
     */
    events: authedProcedure
      .input(eventsInput)
      // Ends (UNAUTHORIZED, FORBIDDEN) when the caller's login, token or admin role does.
      .subscription(live(({ ctx, input }) => sessions.events(ctx.caller, input))),
  });
