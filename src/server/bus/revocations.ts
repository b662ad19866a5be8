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

/** This process's own listeners, told before the bus carries the news (which takes a round trip). */
const localListeners = new WeakMap<Bus, Set<(revocation: Revocation) => void>>();

/** Tells every instance (this one included) that a credential ended. */
export function announceRevocation(bus: Bus, revocation: Revocation): Promise<void> {
  for (const listener of localListeners.get(bus) ?? []) listener(revocation);
  return bus.publish(REVOCATIONS_CHANNEL, JSON.stringify(revocation));
}

/**
 * Calls `handler` synchronously for each revocation announced by this process, as the
 * announcement starts: for what must not answer for a revoked credential even for the moment the
 * bus takes (trpc/credential-cache.ts). Returns an unsubscribe function.
 */
export function onLocalRevocation(bus: Bus, handler: (revocation: Revocation) => void): () => void {
  let listeners = localListeners.get(bus);
  if (!listeners) localListeners.set(bus, (listeners = new Set()));
  listeners.add(handler);
  return () => void listeners.delete(handler);
}

/** Calls `handler` for each revocation announced on any instance; resolves to an unsubscribe function. */
export function onRevocation(bus: Bus, handler: (revocation: Revocation) => void): Promise<() => void> {
  return bus.subscribe(REVOCATIONS_CHANNEL, (payload) => handler(JSON.parse(payload) as Revocation));
}
