/**
 * What callers change in sessions: create, join and leave, the host's timer, chat, the kinds'
 * state updates and help requests. Each is one change through the write path (write.ts): the
 * checks of access.ts, then rows (rows.ts) and events, committed together.
 */
import { randomUUID } from "node:crypto";
import type { App } from "@/server/app";
import { AppError } from "@/server/errors";
import type { SessionStatus } from "@/shared/sessions/kinds";
import { NUDGE_LEVEL } from "@/shared/sessions/limits";
import type { BreathingState, SessionState, StressState, TimerAction } from "@/shared/sessions/state";
import { applyTimer, changeBreathing } from "@/shared/sessions/timer";
import { isPresent, newInviteCode, requireHost, requireInvite, requireOpen, requirePresent, type Caller } from "./access.js";
import { parseUpdate, toBase64 } from "./doc.js";
import { HELP_CHANNEL, insertEvents } from "./events.js";
import type { createQueries } from "./queries.js";
import { view } from "./queries.js";
import * as rows from "./rows.js";
import type { CreateInput, UpdateStateInput } from "./schemas.js";
import { aggregateStress, initialState } from "./state.js";
import type { Writer } from "./write.js";

/** The help stream spans sessions: its own lock (always taken after a session's) keeps its ids in commit order. */
const HELP_LOCK_KEY = "help";

const timerRules: Record<TimerAction, { from: SessionStatus[]; to: SessionStatus; refusal: string }> = {
  start: { from: ["scheduled"], to: "live", refusal: "The session has already started." },
  pause: { from: ["live"], to: "paused", refusal: "Only a live session can be paused." },
  resume: { from: ["paused"], to: "live", refusal: "Only a paused session can be resumed." },
  end: { from: ["scheduled", "live", "paused"], to: "ended", refusal: "The session has already ended." },
};

export function createCommands(app: App, writer: Writer, queries: ReturnType<typeof createQueries>) {
  const { change } = writer;
  const stressMinReports = app.config.stressMinReports;

  /** The group's stress picture from the present participants' reports, as the session's new state. */
  async function stressState(client: rows.Queryable, session: rows.SessionRow): Promise<StressState> {
    const reports = await rows.presentReports(client, session.id);
    return { ...(session.state as StressState), aggregate: aggregateStress(reports, stressMinReports) };
  }

  async function control(caller: Caller, sessionId: string, action: TimerAction) {
    return change(sessionId, caller.user.id, async ({ client, session, emit }) => {
      requireHost(session, caller, `${action} the session`);
      const rule = timerRules[action];
      if (!rule.from.includes(session.status)) {
        throw new AppError(session.status === "ended" ? "PRECONDITION_FAILED" : "CONFLICT", session.status === "ended" ? "This session has ended." : rule.refusal);
      }
      const now = Date.now();
      const state = applyTimer(session.state as SessionState, action, now);
      const updated = await rows.saveTimer(client, sessionId, {
        status: rule.to,
        state,
        ...(action === "start" ? { startedAt: new Date(now) } : {}),
        ...(action === "end" ? { endedAt: new Date(now) } : {}),
      });
      const [eventId] = await emit({ type: "timer", action, status: rule.to, state });
      return { ...view(updated, caller), eventId: eventId!.toString() };
    });
  }

  return {
    async create(caller: Caller, input: CreateInput) {
      const id = randomUUID();
      const session = await writer.transaction(id, async (client) => {
        const created = await rows.insertSession(client, {
          id,
          kind: input.kind,
          title: input.title,
          description: input.description ?? "",
          hostId: caller.user.id,
          visibility: input.visibility,
          inviteCode: input.visibility === "private" ? newInviteCode() : null,
          capacity: input.capacity,
          config: input.config,
          state: initialState(input, { stressMinReports }),
        });
        await rows.insertHost(client, id, caller.user);
        await insertEvents(client, id, [{ type: "joined", userId: caller.user.id, name: caller.user.name, role: "host" }]);
        return created;
      });
      // Nobody can be listening to a session that did not exist: no announcement needed.
      return view(session, caller);
    },

    async join(caller: Caller, input: { sessionId: string; inviteCode?: string }) {
      await change(input.sessionId, caller.user.id, async ({ client, session, me, emit }) => {
        requireOpen(session);
        if (isPresent(me)) return; // already in: nothing to do
        requireInvite(session, me, caller, input.inviteCode);
        if ((await rows.countPresent(client, session.id)) >= session.capacity) {
          throw new AppError("CONFLICT", `This session is full: all ${session.capacity} places are taken.`);
        }
        const role = await rows.enter(client, session.id, caller.user, new Date());
        await emit({ type: "joined", userId: caller.user.id, name: caller.user.name, role });
      });
      return queries.byId(caller, input.sessionId);
    },

    async leave(caller: Caller, sessionId: string) {
      return change(sessionId, caller.user.id, async ({ client, session, me, emit }) => {
        if (!isPresent(me)) return { left: false };
        await rows.markLeft(client, me.id, new Date());
        if (session.status === "ended") return { left: true };
        await emit({ type: "left", userId: me.userId, name: me.name, role: me.role });
        if (session.kind === "stress" && me.stressLevel !== null) {
          const state = await stressState(client, session);
          await rows.saveState(client, sessionId, state);
          await emit({ type: "state", state });
        }
        return { left: true };
      });
    },

    start: (caller: Caller, sessionId: string) => control(caller, sessionId, "start"),
    pause: (caller: Caller, sessionId: string) => control(caller, sessionId, "pause"),
    resume: (caller: Caller, sessionId: string) => control(caller, sessionId, "resume"),
    end: (caller: Caller, sessionId: string) => control(caller, sessionId, "end"),

    async sendMessage(caller: Caller, input: { sessionId: string; text: string }) {
      const eventId = await change(input.sessionId, caller.user.id, async ({ session, me, emit }) => {
        requireOpen(session);
        requirePresent(me);
        const [id] = await emit({ type: "message", text: input.text, userId: caller.user.id, name: caller.user.name });
        return id!;
      });
      return { eventId: eventId.toString() };
    },

    async updateState(caller: Caller, input: UpdateStateInput) {
      // Decode before the transaction: a malformed document update costs no lock.
      const docUpdate = input.kind === "collaboration" ? parseUpdate(input.update) : null;
      return change(input.sessionId, caller.user.id, async ({ client, session, me, emit }) => {
        requireOpen(session);
        if (session.kind !== input.kind) {
          throw new AppError(
            "BAD_REQUEST",
            session.kind === "meditation"
              ? "This is a meditation session: its timer is controlled with start, pause, resume and end."
              : `This is a ${session.kind} session: a ${input.kind} update does not apply to it.`,
          );
        }
        const present = requirePresent(me);
        const now = Date.now();
        switch (input.kind) {
          case "breathing": {
            requireHost(session, caller, "change the breathing pattern");
            const state = changeBreathing(session.state as BreathingState, input, now);
            await rows.saveState(client, session.id, state);
            const [eventId] = await emit({ type: "state", state });
            return { eventId: eventId!.toString(), state: state as SessionState };
          }
          case "stress": {
            const factors = [...new Set(input.factors ?? [])];
            await rows.saveReport(client, present.id, { level: input.level, factors }, new Date(now));
            const state = await stressState(client, session);
            await rows.saveState(client, session.id, state);
            const [eventId] = await emit({ type: "state", state });
            // Only when asked: a nudge names its sender, and a check-in is otherwise anonymous.
            if (input.level >= NUDGE_LEVEL && input.askForSupport) {
              await emit({
                type: "nudge",
                userId: caller.user.id,
                name: caller.user.name,
                text: `${caller.user.name} is having a hard time right now. A kind word could help.`,
              });
            }
            return { eventId: eventId!.toString(), state: state as SessionState };
          }
          case "collaboration": {
            const [eventId] = await emit({ type: "doc", update: toBase64(docUpdate!), userId: caller.user.id });
            return { eventId: eventId!.toString(), state: session.state as SessionState };
          }
        }
      });
    },

    /**
     * A priority event to the session's log (the host and everyone in it see it) and to the help
     * stream every online admin follows (`events` without a session id), plus an audit row.
     */
    async requestHelp(caller: Caller, input: { sessionId: string; note?: string }, meta?: { ip?: string }) {
      const note = input.note ?? "";
      const { eventId, helpRequestId } = await change(input.sessionId, caller.user.id, async ({ client, session, me, emit }) => {
        requireOpen(session);
        requirePresent(me);
        const [eventId] = await emit({
          type: "help",
          priority: "high",
          sessionId: input.sessionId,
          sessionTitle: session.title,
          userId: caller.user.id,
          name: caller.user.name,
          note,
        });
        await writer.lock(client, HELP_LOCK_KEY);
        const helpRequestId = await rows.insertHelpRequest(client, { sessionId: input.sessionId, userId: caller.user.id, name: caller.user.name, note, eventId: eventId! });
        await rows.insertAudit(client, {
          actorId: caller.user.id,
          action: "sessions.requestHelp",
          target: input.sessionId,
          ip: meta?.ip ?? null,
          detail: { helpRequestId: helpRequestId.toString(), eventId: eventId!.toString(), note },
        });
        return { eventId: eventId!, helpRequestId };
      });
      await writer.announce(HELP_CHANNEL, helpRequestId);
      return { eventId: eventId.toString() };
    },
  };
}
