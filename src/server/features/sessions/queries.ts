/** What a caller reads about sessions: one session as they may see it, the list, one session in full, its history. */
import type { App } from "@/server/app";
import { notFound } from "@/server/errors";
import type { UsageScope } from "@/server/feature";
import type { UsageSection } from "@/shared/analytics";
import type { SessionState } from "@/shared/sessions/state";
import { requireMember, requireVisible, type Caller } from "./access.js";
import type { createDocuments } from "./documents.js";
import { newestEventId, onlineInstances, toEvent } from "./events.js";
import type { SessionRow } from "./rows.js";
import type { HistoryInput, ListInput } from "./schemas.js";
import { EVENT, PARTICIPANT, SESSION } from "./tables.js";

/** A session as `caller` may see it. */
export function view(session: SessionRow, caller: Caller) {
  return {
    id: session.id,
    kind: session.kind,
    title: session.title,
    description: session.description,
    visibility: session.visibility,
    capacity: session.capacity,
    status: session.status,
    hostId: session.hostId,
    config: session.config as Record<string, unknown>,
    state: session.state as SessionState,
    createdAt: session.createdAt,
    startedAt: session.startedAt,
    endedAt: session.endedAt,
    /** Only the host sees it. */
    inviteCode: session.hostId === caller.user.id ? session.inviteCode : null,
  };
}

export function createQueries(app: App, documents: ReturnType<typeof createDocuments>) {
  const { db, pool } = app;

  return {
    /** Sessions under way (live or paused) and the people present in them, across every instance. */
    async underWay(): Promise<{ sessions: number; participants: number }> {
      const [sessions, participants] = await Promise.all([
        db.liveSession.count({ where: { status: { in: ["live", "paused"] } } }),
        db.sessionParticipant.count({ where: { leftAt: null, session: { status: { in: ["live", "paused"] } } } }),
      ]);
      return { sessions, participants };
    },

    /** The analytics summary's figures: the platform's (userId null) or one person's. */
    async usage({ userId, since }: UsageScope): Promise<UsageSection> {
      const { rows } = await pool.query<{ liveNow: number; present: number; hosted: number; joined: number; messages: number }>(
        `SELECT
           (SELECT count(*)::int FROM ${SESSION} s WHERE s.status IN ('live', 'paused')
              AND ($1::uuid IS NULL OR EXISTS (SELECT 1 FROM ${PARTICIPANT} p WHERE p."sessionId" = s.id AND p."userId" = $1 AND p."leftAt" IS NULL))) AS "liveNow",
           (SELECT count(*)::int FROM ${PARTICIPANT} p JOIN ${SESSION} s ON s.id = p."sessionId"
              WHERE s.status IN ('live', 'paused') AND p."leftAt" IS NULL AND ($1::uuid IS NULL OR p."userId" = $1)) AS present,
           (SELECT count(*)::int FROM ${SESSION} s WHERE s."createdAt" >= $2 AND ($1::uuid IS NULL OR s."hostId" = $1)) AS hosted,
           (SELECT count(*)::int FROM ${PARTICIPANT} p WHERE p.role = 'participant' AND p."joinedAt" >= $2 AND ($1::uuid IS NULL OR p."userId" = $1)) AS joined,
           (SELECT count(*)::int FROM ${EVENT} e WHERE e.type = 'message' AND e."createdAt" >= $2 AND ($1::uuid IS NULL OR e."userId" = $1)) AS messages`,
        [userId, since],
      );
      const r = rows[0]!;
      const mine = userId !== null;
      return {
        feature: "sessions",
        title: "Live sessions",
        figures: [
          { key: "liveNow", label: mine ? "Live sessions you are in" : "Live sessions now", value: r.liveNow, unit: "count" },
          { key: "present", label: mine ? "Seats you hold now" : "Participants present now", value: r.present, unit: "count" },
          { key: "hosted", label: "Sessions hosted", value: r.hosted, unit: "count" },
          { key: "joined", label: "Sessions joined", value: r.joined, unit: "count" },
          { key: "messages", label: "Messages sent", value: r.messages, unit: "count" },
        ],
      };
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
      const lastEventId = await newestEventId(pool, sessionId);
      const session = await db.liveSession.findUnique({
        where: { id: sessionId },
        include: { participants: { where: { leftAt: null }, orderBy: { joinedAt: "asc" } } },
      });
      if (!session) throw notFound("That session");
      const { participants, ...row } = session;
      await requireVisible(db, caller, row);
      const [online, doc] = await Promise.all([
        onlineInstances(pool, sessionId, lastEventId),
        row.kind === "collaboration" ? documents.load(sessionId, lastEventId) : Promise.resolve(null),
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

    /** Past events, newest page first; to participants (present or past) and admins. */
    async history(caller: Caller, input: HistoryInput) {
      const session = await db.liveSession.findUnique({ where: { id: input.sessionId }, select: { id: true } });
      if (!session) throw notFound("That session");
      await requireMember(db, caller, session.id);
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
  };
}
