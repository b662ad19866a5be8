/**
 * Live group sessions: the model, the kinds' shared state, and the event log every client reads.
 *
 * Every change is one transaction that takes the session's advisory lock first, checks, writes
 * its rows and appends its events; the events' ids are announced on the bus after the commit.
 * Holding the lock while inserting makes a session's events commit in id order, which is what
 * the resumable stream (`app.streams`) needs to deliver them with no gap and no duplicate. An
 * error anywhere rolls the whole change back, events included.
 */
import { randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import type { App } from "../../app.js";
import type { EventSource, StoredEvent } from "../../bus/stream.js";
import { Prisma } from "../../db/index.js";
import { AppError, forbidden, notFound } from "../../errors.js";
import type { Caller } from "../auth/service.js";
import { mergeUpdates, parseUpdate, toBase64 } from "./doc.js";
import { Presence } from "./presence.js";
import type { CreateInput, EventsInput, HistoryInput, ListInput, SessionKind, SessionStatus, UpdateStateInput } from "./schemas.js";
import { aggregateStress, initialState, type BreathingState, type SessionState, type StressState, type TimerAction } from "./state.js";
import { applyTimer, changeBreathing } from "../../../shared/sessions/timer.js";
import type { SessionEvent } from "../../../shared/sessions/events.js";
import { NUDGE_LEVEL } from "../../../shared/sessions/limits.js";

export type { SessionState } from "./state.js";
export type { SessionEvent, SessionEventType } from "../../../shared/sessions/events.js";
export { applyPresence, type PresenceBatch, type PresenceUser } from "./presence.js";

// ── Events ──────────────────────────────────────────────────────────────────────────

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type NewEvent = DistributiveOmit<SessionEvent, "at">;

/** The socket a subscription is delivered on, when it is a WebSocket (for the slow-consumer check). */
export interface DeliverySocket {
  readonly bufferedAmount: number;
  terminate(): void;
}

type Tx = Prisma.TransactionClient;
type SessionRow = Prisma.LiveSessionModel;
type ParticipantRow = Prisma.SessionParticipantModel;

/** Namespace of the sessions feature's advisory locks (two-int form: its own key space). */
const LOCK_NAMESPACE = 0x5345_5353; // "SESS"
const HELP_LOCK_KEY = "help";
const HELP_CHANNEL = "sessions:help";
const channelOf = (sessionId: string) => `sessions:${sessionId}`;

const STREAM_PAGE = 500;
/** A busy session queues its writers on its lock: give them longer than Prisma's 2 s / 5 s defaults. */
const TX_OPTIONS = { maxWait: 5_000, timeout: 15_000 };

function toEvent(row: { type: string; payload: Prisma.JsonValue; userId: string | null; createdAt: Date }): SessionEvent {
  return { ...(row.payload as object), type: row.type, ...(row.userId ? { userId: row.userId } : {}), at: row.createdAt } as SessionEvent;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given.toUpperCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 10 characters from an alphabet without look-alikes (0/O, 1/I/L). */
function newInviteCode(): string {
  const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  return [...randomBytes(10)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

const timerRules: Record<TimerAction, { from: SessionStatus[]; to: SessionStatus; refusal: string }> = {
  start: { from: ["scheduled"], to: "live", refusal: "The session has already started." },
  pause: { from: ["live"], to: "paused", refusal: "Only a live session can be paused." },
  resume: { from: ["paused"], to: "live", refusal: "Only a paused session can be resumed." },
  end: { from: ["scheduled", "live", "paused"], to: "ended", refusal: "The session has already ended." },
};

export function createSessionsService(app: App) {
  const { db, pool, bus, log, streams } = app;

  /** Tunables; tests may lower them. */
  const settings = {
    /** Past this many bytes queued on a subscriber's socket, the socket is closed; the client resumes. */
    slowConsumerBytes: 4 * 1024 * 1024,
    /** Loading a document with at least this many updates after its snapshot writes a new snapshot. */
    compactAfterUpdates: 100,
    /**
     * Presence is written at most once per session, instance and window (one batched event): this
     * many ms, or `presenceWindowPerUserMs` per user of the session on this instance if that is
     * more (every presence event goes to every subscriber: a thousand people connecting to one
     * room then cost a few dozen events, not a few hundred), but at most `presenceWindowMaxMs`.
     */
    /** A chat line or help request queued this long on its session's lock (an overloaded server) is refused: TOO_MANY_REQUESTS. */
    writeLockTimeoutMs: TX_OPTIONS.timeout,
    presenceWindowMs: 200,
    presenceWindowPerUserMs: 0.5,
    presenceWindowMaxMs: 5_000,
  };

  // ── Writing ───────────────────────────────────────────────────────────────────────

  async function lock(tx: Tx, key: string) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int4, hashtext(${key}))`;
  }

  async function announce(channel: string, id: bigint | undefined) {
    if (id === undefined) return;
    try {
      await bus.publish(channel, id.toString());
    } catch (err) {
      // Committed but not announced: subscribers get it with the session's next announcement (or
      // when the bus reconnects, if the database went away).
      if (!app.databaseAvailability.report(err)) log.warn({ err, channel }, "could not announce a session event");
    }
  }

  interface Change {
    tx: Tx;
    session: SessionRow;
    /** The caller's participant row (present or not), when the change was made for a user. */
    me: ParticipantRow | null;
    /** Appends events to the session's log (under the session's lock); returns their ids. */
    emit(...events: NewEvent[]): Promise<bigint[]>;
  }

  /**
   * One change to a session: lock, load, check and write in a transaction, then announce.
   * Throwing anywhere in `fn` rolls everything back.
   */
  async function change<T>(sessionId: string, userId: string | null, fn: (change: Change) => Promise<T>): Promise<T> {
    const ids: bigint[] = [];
    const result = await db.$transaction(async (tx) => {
      await lock(tx, sessionId);
      const session = await tx.liveSession.findUnique({ where: { id: sessionId } });
      if (!session) throw notFound("That session");
      const me = userId ? await tx.sessionParticipant.findUnique({ where: { sessionId_userId: { sessionId, userId } } }) : null;
      const emit = async (...events: NewEvent[]) => {
        const data = events.map((event) => {
          const { type, ...rest } = event;
          const { userId: eventUser, ...payload } = rest as { userId?: string };
          return { sessionId, type, userId: eventUser ?? null, payload: payload as Prisma.InputJsonObject };
        });
        const created =
          data.length === 1
            ? [(await tx.sessionEvent.create({ data: data[0]!, select: { id: true } })).id]
            : (await tx.sessionEvent.createManyAndReturn({ data, select: { id: true } })).map((row) => row.id).sort((a, b) => (a < b ? -1 : 1));
        ids.push(...created);
        return created;
      };
      return fn({ tx, session, me, emit });
    }, TX_OPTIONS);
    await announce(channelOf(sessionId), ids.at(-1));
    return result;
  }

  /**
   * The hot writes — a chat line, a help request — in plain SQL on one pooled connection: the same
   * lock, checks (the session is open, the caller present) and insert as `change()` makes through
   * Prisma, for a fraction of its CPU (taken from the core that then delivers the event to every
   * subscriber) and fewer round trips. `then` runs in the same transaction, after the insert.
   */
  async function appendEvent<T = undefined>(
    sessionId: string,
    caller: Caller,
    build: (session: { id: string; title: string }) => NewEvent,
    then?: (client: pg.PoolClient, eventId: bigint) => Promise<T>,
  ): Promise<{ eventId: bigint; result: T | undefined }> {
    const client = await pool.connect();
    let broken: Error | undefined;
    let eventId: bigint;
    let result: T | undefined;
    try {
      // One round trip (a simple query: no parameters, hence the escaped literal) for the three. As with
      // `change()`'s transaction options, a writer queued on a busy session's lock gives up eventually.
      await client.query(
        `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(settings.writeLockTimeoutMs))};` +
          ` SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}, hashtext(${client.escapeLiteral(sessionId)}))`,
      );
      const { rows } = await client.query<{ status: SessionStatus; title: string; present: boolean }>(
        `SELECT s.status, s.title, EXISTS (
           SELECT 1 FROM "SessionParticipant" p WHERE p."sessionId" = s.id AND p."userId" = $2 AND p."leftAt" IS NULL
         ) AS present
         FROM "LiveSession" s WHERE s.id = $1`,
        [sessionId, caller.user.id],
      );
      const session = rows[0];
      if (!session) throw notFound("That session");
      if (session.status === "ended") throw new AppError("PRECONDITION_FAILED", "This session has ended.");
      if (!session.present) throw forbidden("Join the session first.");
      const { type, ...rest } = build({ id: sessionId, title: session.title });
      const { userId, ...payload } = rest as { userId?: string };
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO "SessionEvent" ("sessionId", type, "userId", payload) VALUES ($1, $2, $3, $4::jsonb) RETURNING id::text AS id`,
        [sessionId, type, userId ?? null, JSON.stringify(payload)],
      );
      eventId = BigInt(inserted.rows[0]!.id);
      if (then) result = await then(client, eventId);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch((err: Error) => (broken = err));
      // lock_not_available: queued on the session's lock past lock_timeout — the server is overloaded.
      if ((error as { code?: string }).code === "55P03") {
        throw new AppError("TOO_MANY_REQUESTS", "This session is too busy right now: try again in a moment.", 1);
      }
      throw error;
    } finally {
      client.release(broken);
    }
    await announce(channelOf(sessionId), eventId);
    return { eventId, result };
  }

  const isPresent = (me: ParticipantRow | null): me is ParticipantRow => me !== null && me.leftAt === null;

  function requirePresent(me: ParticipantRow | null): ParticipantRow {
    if (!isPresent(me)) throw forbidden("Join the session first.");
    return me;
  }

  function requireOpen(session: SessionRow) {
    if (session.status === "ended") throw new AppError("PRECONDITION_FAILED", "This session has ended.");
  }

  function requireHost(session: SessionRow, caller: Caller, what: string) {
    if (session.hostId !== caller.user.id) throw forbidden(`Only the host can ${what}.`);
  }

  /** Public sessions: anyone signed in. Private ones: their participants, present or past, and admins. */
  async function requireVisible(caller: Caller, session: SessionRow) {
    if (session.visibility === "public" || caller.user.role === "ADMIN") return;
    const member = await db.sessionParticipant.findUnique({
      where: { sessionId_userId: { sessionId: session.id, userId: caller.user.id } },
      select: { id: true },
    });
    if (!member) throw forbidden("This session is private: join it with its invite code.");
  }

  // ── Reading ───────────────────────────────────────────────────────────────────────

  function view(session: SessionRow, caller: Caller) {
    return {
      id: session.id,
      kind: session.kind as SessionKind,
      title: session.title,
      description: session.description,
      visibility: session.visibility,
      capacity: session.capacity,
      status: session.status as SessionStatus,
      hostId: session.hostId,
      config: session.config as Record<string, unknown>,
      state: session.state as unknown as SessionState,
      createdAt: session.createdAt,
      startedAt: session.startedAt,
      endedAt: session.endedAt,
      /** Only the host sees it. */
      inviteCode: session.hostId === caller.user.id ? session.inviteCode : null,
    };
  }

  // The streams' reads run for every event (once per instance) and every subscriber that connects:
  // plain SQL on the pool, which costs a fraction of the CPU of the same query through Prisma.

  async function newestEventId(sessionId: string): Promise<bigint> {
    const { rows } = await pool.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM "SessionEvent" WHERE "sessionId" = $1`, [sessionId]);
    return BigInt(rows[0]?.id ?? 0);
  }

  interface EventRow {
    id: string;
    type: string;
    payload: Prisma.JsonValue;
    userId: string | null;
    createdAt: Date;
  }
  // Ordered by the bigint column, not by the text alias `id` (which would put "10" before "9").
  const EVENTS_AFTER = `
    SELECT e.id::text AS id, e.type, e.payload, e."userId"::text AS "userId", e."createdAt"
    FROM "SessionEvent" e WHERE e."sessionId" = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`;

  /**
   * User id → the instances where they have a stream open, from the presence events up to
   * `throughId`: per (user, instance), the last presence event that names the user decides.
   */
  async function onlineInstances(sessionId: string, throughId: bigint): Promise<Map<string, string[]>> {
    const rows = await db.$queryRaw<{ userId: string; instance: string; online: boolean }[]>`
      SELECT DISTINCT ON (p."userId", e.payload->>'instance') p."userId", e.payload->>'instance' AS instance, p.online
      FROM "SessionEvent" e
      CROSS JOIN LATERAL (
        SELECT x->>'userId' AS "userId", true AS online FROM jsonb_array_elements(e.payload->'online') x
        UNION ALL
        SELECT x->>'userId', false FROM jsonb_array_elements(e.payload->'offline') x
      ) p
      WHERE e."sessionId" = ${sessionId}::uuid AND e.type = 'presence' AND e.id <= ${throughId}
      ORDER BY p."userId", e.payload->>'instance', e.id DESC`;
    const online = new Map<string, string[]>();
    for (const row of rows) {
      if (!row.online) continue;
      const instances = online.get(row.userId);
      if (instances) instances.push(row.instance);
      else online.set(row.userId, [row.instance]);
    }
    return online;
  }

  /** The collaboration document as of event `throughId`: snapshot plus later updates; compacts when they pile up. */
  async function loadDoc(sessionId: string, throughId: bigint): Promise<string> {
    const snapshot = await db.sessionDoc.findUnique({ where: { sessionId } });
    const from = snapshot?.throughEventId ?? 0n;
    const rows = await db.sessionEvent.findMany({
      where: { sessionId, type: "doc", id: { gt: from, lte: throughId } },
      orderBy: { id: "asc" },
      select: { id: true, payload: true },
    });
    if (!rows.length) return snapshot ? toBase64(snapshot.state) : toBase64(mergeUpdates([]));
    const updates = rows.map((row) => new Uint8Array(Buffer.from((row.payload as { update: string }).update, "base64")));
    const merged = mergeUpdates(snapshot ? [snapshot.state, ...updates] : updates, (err) =>
      log.warn({ err, sessionId }, "skipped a document update Yjs could not apply"),
    );
    if (rows.length >= settings.compactAfterUpdates) {
      const through = rows[rows.length - 1]!.id;
      // Never move a snapshot backwards (another instance may have compacted further meanwhile).
      await db.$executeRaw`
        INSERT INTO "SessionDoc" ("sessionId", state, "throughEventId", "updatedAt")
        VALUES (${sessionId}::uuid, ${Buffer.from(merged)}, ${through}, now())
        ON CONFLICT ("sessionId") DO UPDATE SET state = EXCLUDED.state, "throughEventId" = EXCLUDED."throughEventId", "updatedAt" = now()
        WHERE "SessionDoc"."throughEventId" < EXCLUDED."throughEventId"`.catch((err: unknown) =>
        log.warn({ err, sessionId }, "could not compact a session document"),
      );
    }
    return toBase64(merged);
  }

  async function stressAggregateState(tx: Tx, session: SessionRow): Promise<StressState> {
    const reports = await tx.sessionParticipant.findMany({
      where: { sessionId: session.id, leftAt: null, stressLevel: { not: null } },
      select: { stressLevel: true, stressFactors: true },
    });
    const current = session.state as unknown as StressState;
    return { ...current, aggregate: aggregateStress(reports.map((r) => ({ level: r.stressLevel!, factors: r.stressFactors })), app.config.stressMinReports) };
  }

  function sessionSource(sessionId: string): EventSource<SessionEvent> {
    return {
      channel: channelOf(sessionId),
      async readAfter(afterId, limit) {
        const { rows } = await pool.query<EventRow>(EVENTS_AFTER, [sessionId, afterId.toString(), limit]);
        return rows.map((row) => ({ id: BigInt(row.id), event: toEvent(row) }));
      },
      newestId: () => newestEventId(sessionId),
    };
  }

  interface HelpRow {
    id: string;
    sessionId: string;
    sessionTitle: string;
    userId: string;
    name: string;
    note: string;
    createdAt: Date;
  }
  const helpSource: EventSource<SessionEvent> = {
    channel: HELP_CHANNEL,
    async readAfter(afterId, limit) {
      const { rows } = await pool.query<HelpRow>(
        `SELECT h.id::text AS id, h."sessionId"::text AS "sessionId", s.title AS "sessionTitle", h."userId"::text AS "userId", h.name, h.note, h."createdAt"
         FROM "SessionHelpRequest" h JOIN "LiveSession" s ON s.id = h."sessionId"
         WHERE h.id > $1 ORDER BY h.id LIMIT $2`,
        [afterId.toString(), limit],
      );
      return rows.map((row) => ({
        id: BigInt(row.id),
        event: {
          type: "help" as const,
          priority: "high" as const,
          sessionId: row.sessionId,
          sessionTitle: row.sessionTitle,
          userId: row.userId,
          name: row.name,
          note: row.note,
          at: row.createdAt,
        },
      }));
    },
    async newestId() {
      const { rows } = await pool.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM "SessionHelpRequest"`);
      return BigInt(rows[0]?.id ?? 0);
    },
  };

  // ── Presence ──────────────────────────────────────────────────────────────────────

  const presence = new Presence(
    (sessionId, changes) =>
      change(sessionId, null, async ({ session, emit }) => {
        if (session.status === "ended") return; // the log of an ended session is closed
        const who = ({ userId, name }: { userId: string; name: string }) => ({ userId, name });
        await emit({
          type: "presence",
          instance: app.instanceId,
          online: changes.filter((c) => c.online).map(who),
          offline: changes.filter((c) => !c.online).map(who),
        });
      }),
    (err) => app.databaseAvailability.report(err) || log.warn({ err }, "could not record presence"),
    (users) => Math.min(settings.presenceWindowMaxMs, Math.max(settings.presenceWindowMs, users * settings.presenceWindowPerUserMs)),
  );

  // ── Timer control ─────────────────────────────────────────────────────────────────

  async function control(caller: Caller, sessionId: string, action: TimerAction) {
    return change(sessionId, caller.user.id, async ({ tx, session, emit }) => {
      requireHost(session, caller, `${action} the session`);
      const rule = timerRules[action];
      if (!rule.from.includes(session.status as SessionStatus)) {
        throw new AppError(session.status === "ended" ? "PRECONDITION_FAILED" : "CONFLICT", session.status === "ended" ? "This session has ended." : rule.refusal);
      }
      const now = Date.now();
      const state = applyTimer(session.state as unknown as SessionState, action, now);
      const updated = await tx.liveSession.update({
        where: { id: sessionId },
        data: {
          status: rule.to,
          state: state as unknown as Prisma.InputJsonObject,
          ...(action === "start" ? { startedAt: new Date(now) } : {}),
          ...(action === "end" ? { endedAt: new Date(now) } : {}),
        },
      });
      const [eventId] = await emit({ type: "timer", action, status: rule.to, state });
      return { ...view(updated, caller), eventId: eventId!.toString() };
    });
  }

  // ── The service ───────────────────────────────────────────────────────────────────

  const service = {
    settings,

    async create(caller: Caller, input: CreateInput) {
      const id = randomUUID();
      const session = await db.$transaction(async (tx) => {
        await lock(tx, id);
        const created = await tx.liveSession.create({
          data: {
            id,
            kind: input.kind,
            title: input.title,
            description: input.description ?? "",
            hostId: caller.user.id,
            visibility: input.visibility,
            inviteCode: input.visibility === "private" ? newInviteCode() : null,
            capacity: input.capacity,
            config: input.config as Prisma.InputJsonObject,
            state: initialState(input, { stressMinReports: app.config.stressMinReports }) as unknown as Prisma.InputJsonObject,
          },
        });
        await tx.sessionParticipant.create({ data: { sessionId: id, userId: caller.user.id, name: caller.user.name, role: "host" } });
        await tx.sessionEvent.create({
          data: { sessionId: id, type: "joined", userId: caller.user.id, payload: { name: caller.user.name, role: "host" } },
        });
        return created;
      }, TX_OPTIONS);
      // Nobody can be listening to a session that did not exist: no announcement needed.
      return view(session, caller);
    },

    async list(caller: Caller, input: ListInput) {
      const rows = await db.liveSession.findMany({
        where: {
          kind: input.kind,
          status: input.status,
          OR: [{ visibility: "public" }, { participants: { some: { userId: caller.user.id } } }],
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        include: {
          _count: { select: { participants: { where: { leftAt: null } } } },
          participants: { where: { OR: [{ role: "host" }, { userId: caller.user.id }] }, select: { userId: true, name: true, role: true, leftAt: true } },
        },
      });
      const more = rows.length > input.limit;
      const page = more ? rows.slice(0, input.limit) : rows;
      return {
        items: page.map(({ _count, participants, ...session }) => ({
          ...view(session, caller),
          hostName: participants.find((p) => p.role === "host")?.name ?? null,
          participantCount: _count.participants,
          joined: participants.some((p) => p.userId === caller.user.id && p.leftAt === null),
        })),
        nextCursor: more ? page[page.length - 1]!.id : null,
      };
    },

    /**
     * The session as a newcomer needs it: participants with presence, the document (collaboration),
     * and `lastEventId` — subscribe to `events` with it to continue exactly where this left off.
     */
    async byId(caller: Caller, sessionId: string) {
      // First the newest id, then the rest: whatever the rest includes beyond it is replayed, never missed.
      const lastEventId = await newestEventId(sessionId);
      const session = await db.liveSession.findUnique({
        where: { id: sessionId },
        include: { participants: { where: { leftAt: null }, orderBy: { joinedAt: "asc" } } },
      });
      if (!session) throw notFound("That session");
      const { participants, ...row } = session;
      await requireVisible(caller, row);
      const [online, doc] = await Promise.all([
        onlineInstances(sessionId, lastEventId),
        row.kind === "collaboration" ? loadDoc(sessionId, lastEventId) : Promise.resolve(null),
      ]);
      const mine = participants.find((p) => p.userId === caller.user.id);
      return {
        ...view(row, caller),
        /**
         * `instances`: where the participant has a stream open, as of `lastEventId`; `online` while
         * there is one. Apply later `presence` events to keep both current (`applyPresence`).
         */
        participants: participants.map((p) => {
          const instances = online.get(p.userId) ?? [];
          return { userId: p.userId, name: p.name, role: p.role, joinedAt: p.joinedAt, online: instances.length > 0, instances };
        }),
        me: mine ? { role: mine.role } : null,
        /** Base64 Yjs update holding the whole document (collaboration sessions). */
        doc,
        lastEventId: lastEventId.toString(),
        /** Server epoch ms when this was read. */
        serverTime: Date.now(),
      };
    },

    async join(caller: Caller, input: { sessionId: string; inviteCode?: string }) {
      await change(input.sessionId, caller.user.id, async ({ tx, session, me, emit }) => {
        requireOpen(session);
        if (isPresent(me)) return; // already in: nothing to do
        // Past participants (and the host) come back without the code; admins may enter any session.
        if (session.visibility === "private" && !me && caller.user.role !== "ADMIN") {
          if (!input.inviteCode) throw forbidden("This session is private: you need its invite code.");
          if (!sameSecret(input.inviteCode, session.inviteCode ?? "")) throw forbidden("That invite code is not right.");
        }
        const present = await tx.sessionParticipant.count({ where: { sessionId: session.id, leftAt: null } });
        if (present >= session.capacity) {
          throw new AppError("CONFLICT", `This session is full: all ${session.capacity} places are taken.`);
        }
        const joined = await tx.sessionParticipant.upsert({
          where: { sessionId_userId: { sessionId: session.id, userId: caller.user.id } },
          create: { sessionId: session.id, userId: caller.user.id, name: caller.user.name, role: "participant" },
          // A rejoin starts afresh: an old stress report does not count again unasked.
          update: { leftAt: null, joinedAt: new Date(), name: caller.user.name, stressLevel: null, stressFactors: [], reportedAt: null },
        });
        await emit({ type: "joined", userId: caller.user.id, name: caller.user.name, role: joined.role });
      });
      return service.byId(caller, input.sessionId);
    },

    async leave(caller: Caller, sessionId: string) {
      return change(sessionId, caller.user.id, async ({ tx, session, me, emit }) => {
        if (!isPresent(me)) return { left: false };
        await tx.sessionParticipant.update({ where: { id: me.id }, data: { leftAt: new Date() } });
        if (session.status === "ended") return { left: true };
        await emit({ type: "left", userId: me.userId, name: me.name, role: me.role });
        if (session.kind === "stress" && me.stressLevel !== null) {
          const state = await stressAggregateState(tx, session);
          await tx.liveSession.update({ where: { id: sessionId }, data: { state: state as unknown as Prisma.InputJsonObject } });
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
      const { eventId } = await appendEvent(input.sessionId, caller, () => ({
        type: "message",
        text: input.text,
        userId: caller.user.id,
        name: caller.user.name,
      }));
      return { eventId: eventId.toString() };
    },

    async updateState(caller: Caller, input: UpdateStateInput) {
      // Decode before the transaction: a malformed document update costs no lock.
      const docUpdate = input.kind === "collaboration" ? parseUpdate(input.update) : null;
      return change(input.sessionId, caller.user.id, async ({ tx, session, me, emit }) => {
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
            const state = changeBreathing(session.state as unknown as BreathingState, input, now);
            await tx.liveSession.update({ where: { id: session.id }, data: { state: state as unknown as Prisma.InputJsonObject } });
            const [eventId] = await emit({ type: "state", state });
            return { eventId: eventId!.toString(), state: state as SessionState };
          }
          case "stress": {
            const factors = [...new Set(input.factors ?? [])];
            await tx.sessionParticipant.update({
              where: { id: present.id },
              data: { stressLevel: input.level, stressFactors: factors, reportedAt: new Date(now) },
            });
            const state = await stressAggregateState(tx, session);
            await tx.liveSession.update({ where: { id: session.id }, data: { state: state as unknown as Prisma.InputJsonObject } });
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
            return { eventId: eventId!.toString(), state: session.state as unknown as SessionState };
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
      const { eventId, result: helpRequestId } = await appendEvent(
        input.sessionId,
        caller,
        (session) => ({
          type: "help",
          priority: "high",
          sessionId: session.id,
          sessionTitle: session.title,
          userId: caller.user.id,
          name: caller.user.name,
          note,
        }),
        async (client, eventId) => {
          // The help stream spans sessions: its own lock (always taken after a session's) keeps its ids in commit order.
          await client.query("SELECT pg_advisory_xact_lock($1::int4, hashtext($2))", [LOCK_NAMESPACE, HELP_LOCK_KEY]);
          const { rows } = await client.query<{ id: string }>(
            `INSERT INTO "SessionHelpRequest" ("sessionId", "userId", name, note, "eventId") VALUES ($1, $2, $3, $4, $5) RETURNING id::text AS id`,
            [input.sessionId, caller.user.id, caller.user.name, note, eventId.toString()],
          );
          const id = BigInt(rows[0]!.id);
          await client.query(`INSERT INTO "AuditLog" ("actorId", action, target, ip, detail) VALUES ($1, $2, $3, $4, $5::jsonb)`, [
            caller.user.id,
            "sessions.requestHelp",
            input.sessionId,
            meta?.ip ?? null,
            JSON.stringify({ helpRequestId: id.toString(), eventId: eventId.toString(), note }),
          ]);
          return id;
        },
      );
      await announce(HELP_CHANNEL, helpRequestId);
      return { eventId: eventId.toString() };
    },

    /** Past events, newest page first; to participants (present or past) and admins. */
    async history(caller: Caller, input: HistoryInput) {
      const session = await db.liveSession.findUnique({ where: { id: input.sessionId }, select: { id: true } });
      if (!session) throw notFound("That session");
      if (caller.user.role !== "ADMIN") {
        const member = await db.sessionParticipant.findUnique({
          where: { sessionId_userId: { sessionId: session.id, userId: caller.user.id } },
          select: { id: true },
        });
        if (!member) throw forbidden("Join this session to read its history.");
      }
      const rows = await db.sessionEvent.findMany({
        where: {
          sessionId: input.sessionId,
          ...(input.before ? { id: { lt: BigInt(input.before) } } : {}),
          type: input.types ? { in: input.types } : { not: "doc" },
          NOT: { type: "nudge", userId: caller.user.id },
        },
        orderBy: { id: "desc" },
        take: input.limit + 1,
      });
      const more = rows.length > input.limit;
      const page = (more ? rows.slice(0, input.limit) : rows).reverse();
      return {
        /** Oldest first. */
        items: page.map((row) => ({ id: row.id.toString(), event: toEvent(row) })),
        /** Pass as `before` for the page of older events; null when there are none. */
        nextBefore: more ? page[0]!.id.toString() : null,
      };
    },

    /**
     * The live stream of a session's events for a present participant: what happened after
     * `lastEventId` (or from now), then live, in order, once each. Marks the caller online on
     * this instance while it runs. Ends after the session's `end` event or the caller's own
     * `left`. Without a session id: the help requests of every session, for admins.
     *
     * `wrap` turns each stored event into what is yielded (the router makes tRPC's tracked
     * envelopes); it runs inside the one generator per subscriber that the stream is, so a
     * thousand subscribers cost a thousand generators, not a chain of them each.
     *
     * Checks run before the stream is returned, so they fail the subscription with their code.
     */
    async events<U>(
      caller: Caller,
      input: EventsInput,
      options: {
        signal?: AbortSignal;
        socket?: DeliverySocket;
        wrap: (stored: StoredEvent<SessionEvent>) => U;
        /** Delivers a wrapped event without yielding it when it can (see StreamOptions.send). */
        send?: (value: U) => boolean;
      },
    ): Promise<AsyncGenerator<U>> {
      const lastEventId = input.lastEventId ? BigInt(input.lastEventId) : undefined;
      const { signal, socket, wrap, send } = options;
      const userId = caller.user.id;

      /** Past the send-buffer limit the socket is closed (which aborts the stream); the client resumes. */
      function tooSlow(): boolean {
        if (!socket || socket.bufferedAmount <= settings.slowConsumerBytes) return false;
        log.warn({ userId, sessionId: input.sessionId, bufferedBytes: socket.bufferedAmount }, "closing a slow consumer's socket");
        socket.terminate();
        return true;
      }
      const isOwnNudge = ({ event }: StoredEvent<SessionEvent>) => event.type === "nudge" && event.userId === userId;

      if (!input.sessionId) {
        if (caller.user.role !== "ADMIN") throw forbidden("Only admins receive the help requests of every session.");
        return streams(helpSource, lastEventId, { signal, send, map: (stored) => (tooSlow() ? undefined : wrap(stored)) });
      }

      const sessionId = input.sessionId;
      const { rows } = await pool.query<{ status: SessionStatus; present: boolean; host: boolean }>(
        `SELECT s.status, (p.id IS NOT NULL AND p."leftAt" IS NULL) AS present, s."hostId" = p."userId" AS host
         FROM "LiveSession" s LEFT JOIN "SessionParticipant" p ON p."sessionId" = s.id AND p."userId" = $2
         WHERE s.id = $1`,
        [sessionId, userId],
      );
      const loaded = rows[0];
      if (!loaded) throw notFound("That session");
      if (!loaded.present) throw forbidden("Join this session to follow it live.");
      const source = sessionSource(sessionId);

      if (loaded.status === "ended") {
        // Nothing more will be written: replay what the caller missed, then finish.
        return (async function* (): AsyncGenerator<U> {
          let last = lastEventId ?? (await source.newestId());
          for (;;) {
            const page = await source.readAfter(last, STREAM_PAGE);
            for (const stored of page) {
              if (signal?.aborted) return;
              last = stored.id;
              if (isOwnNudge(stored)) continue;
              if (tooSlow()) return;
              yield wrap(stored);
            }
            if (page.length < STREAM_PAGE) return;
          }
        })();
      }

      const name = caller.user.name;
      return streams(source, lastEventId, {
        signal,
        send,
        // The host (and any admin) is served first: a help request reaches them without waiting for the room.
        first: loaded.host || caller.user.role === "ADMIN",
        onStart: () => presence.enter(sessionId, userId, name),
        onEnd: () => presence.exit(sessionId, userId),
        // Skipped once the socket is closed for being too slow: that aborts the stream.
        map: (stored) => (isOwnNudge(stored) || tooSlow() ? undefined : wrap(stored)),
        endsAfter: ({ event }) => {
          if (event.type === "timer" && event.action === "end") return true;
          if (event.type !== "left" || event.userId !== userId) return false;
          // A replayed "left" from before a rejoin does not end the stream.
          return db.sessionParticipant
            .findUnique({ where: { sessionId_userId: { sessionId, userId } }, select: { leftAt: true } })
            .then((me) => Boolean(me?.leftAt));
        },
      });
    },

    /** Waits for pending presence writes: call after the server stopped serving, before the database closes. */
    flush: () => presence.flush(),
  };
  return service;
}

export type SessionsService = ReturnType<typeof createSessionsService>;
