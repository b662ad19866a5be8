/**
 * "This login ended": a cross-instance event. A service announces that a login session, an API
 * token or a user's role ended; every instance's transport (trpc/credentials.ts) ends the live
 * streams and closes the sockets that credential carried. Services never see a socket.
 */
import type { Bus } from "./bus.js";

/** What authorized a socket or a live stream, and the role its caller had then. */
export interface HeldCredential {
  userId: string;
  loginSessionId?: string;
  apiTokenId?: string;
  role: "USER" | "ADMIN";
}

/**
 * What ended: a login session, an API token, or — with `userId` — a user's role changed (to
 * `role`).
 */
export interface Revocation {
  loginSessionId?: string;
  apiTokenId?: string;
  userId?: string;
  role?: "USER" | "ADMIN";
}

const REVOCATIONS_CHANNEL = "auth_revoked";

/** Tells every instance (this one included) that a credential ended. */
export function announceRevocation(bus: Bus, revocation: Revocation): Promise<void> {
  return bus.publish(REVOCATIONS_CHANNEL, JSON.stringify(revocation));
}

/** Calls `handler` for each revocation announced on any instance; resolves to an unsubscribe function. */
export function onRevocation(bus: Bus, handler: (revocation: Revocation) => void): Promise<() => void> {
  return bus.subscribe(REVOCATIONS_CHANNEL, (payload) => handler(JSON.parse(payload) as Revocation));
}
