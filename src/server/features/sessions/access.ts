/**
 * Who may do what in a session: the checks every command and query makes, written once. Each
 * throws the AppError a client sees (FORBIDDEN, PRECONDITION_FAILED, …).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { App } from "@/server/app";
import { AppError, forbidden } from "@/server/errors";
import type { Caller } from "@/server/features/auth/service";
import type { ParticipantRow, SessionRow } from "./rows.js";

type Db = App["db"];

// The one import of the auth feature's caller type in this feature: the rest import it from here.
export type { Caller };

export const isPresent = (me: ParticipantRow | null): me is ParticipantRow => me !== null && me.leftAt === null;

export function requirePresent(me: ParticipantRow | null): ParticipantRow {
  if (!isPresent(me)) throw forbidden("Join the session first.");
  return me;
}

export function requireOpen(session: Pick<SessionRow, "status">): void {
  if (session.status === "ended") throw new AppError("PRECONDITION_FAILED", "This session has ended.");
}

export function requireHost(session: Pick<SessionRow, "hostId">, caller: Caller, what: string): void {
  if (session.hostId !== caller.user.id) throw forbidden(`Only the host can ${what}.`);
}

async function isMember(db: Db, sessionId: string, userId: string): Promise<boolean> {
  const member = await db.sessionParticipant.findUnique({ where: { sessionId_userId: { sessionId, userId } }, select: { id: true } });
  return member !== null;
}

/** Public sessions: anyone signed in. Private ones: their participants, present or past, and admins. */
export async function requireVisible(db: Db, caller: Caller, session: Pick<SessionRow, "id" | "visibility">): Promise<void> {
  if (session.visibility === "public" || caller.user.role === "ADMIN") return;
  if (!(await isMember(db, session.id, caller.user.id))) throw forbidden("This session is private: join it with its invite code.");
}

/** A session's history: its participants, present or past, and admins. */
export async function requireMember(db: Db, caller: Caller, sessionId: string): Promise<void> {
  if (caller.user.role === "ADMIN") return;
  if (!(await isMember(db, sessionId, caller.user.id))) throw forbidden("Join this session to read its history.");
}

/**
 * Entering a private session takes its invite code, except for past participants (and the host),
 * who come back without it, and admins, who may enter any session.
 */
export function requireInvite(session: Pick<SessionRow, "visibility" | "inviteCode">, me: ParticipantRow | null, caller: Caller, inviteCode: string | undefined): void {
  if (session.visibility !== "private" || me || caller.user.role === "ADMIN") return;
  if (!inviteCode) throw forbidden("This session is private: you need its invite code.");
  if (!sameSecret(inviteCode, session.inviteCode ?? "")) throw forbidden("That invite code is not right.");
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given.toUpperCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** 10 characters from an alphabet without look-alikes (0/O, 1/I/L). */
export function newInviteCode(): string {
  const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  return [...randomBytes(10)].map((byte) => alphabet[byte % alphabet.length]).join("");
}
