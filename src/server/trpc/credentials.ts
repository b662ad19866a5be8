/**
 * The transport's side of "this login ended": every revocation announced on the bus (by any
 * instance) ends this instance's live streams and sockets that carried the credential. A
 * revocation missed while the bus was down is caught by checking every held credential against
 * the database again when the bus reconnects, and every minute (which also ends expired logins).
 */
import type { App } from "@/server/app";
import { onLocalRevocation, onRevocation, type HeldCredential, type Revocation } from "@/server/bus/revocations";
import type { CredentialCache } from "./credential-cache.js";
import type { SocketRegistry } from "./sockets.js";

const RECHECK_EVERY_MS = 60_000;

/** The auth feature's answer to "which of these have ended?". */
export type EndedCredentials = (held: HeldCredential[]) => Promise<Revocation[]>;

/** Starts applying revocations to `sockets` (and `cache`); resolves once the bus listens, to a stop function. */
export async function watchCredentials(app: App, sockets: SocketRegistry, endedCredentials: EndedCredentials, cache?: CredentialCache): Promise<() => void> {
  const { bus, log } = app;
  const apply = (revocation: Revocation) => {
    cache?.revoke(revocation);
    const ended = sockets.revoke(revocation, "credentials revoked");
    if (ended.sockets || ended.streams) log.info({ ...revocation, ...ended }, "ended the sockets and streams of a revoked credential");
  };
  const recheck = () =>
    void endedCredentials(sockets.heldCredentials()).then(
      (revocations) => revocations.forEach(apply),
      (err: unknown) => log.warn({ err }, "could not recheck open credentials"),
    );
  const unsubscribe = await onRevocation(bus, apply);
  const stopLocal = cache ? onLocalRevocation(bus, (revocation) => cache.revoke(revocation)) : () => undefined;
  // Revocations may have been missed while the bus was away: nothing remembered before is trusted.
  const stopOnReconnect = bus.onReconnect(() => {
    cache?.clear();
    recheck();
  });
  const timer = setInterval(recheck, RECHECK_EVERY_MS).unref();
  return () => {
    unsubscribe();
    stopLocal();
    stopOnReconnect();
    clearInterval(timer);
  };
}
