/**
 * Who a WebSocket's credential belongs to, remembered for a few seconds: a client that opens many
 * sockets with one token (a program, a page's reconnects after a deploy) no longer costs a
 * PostgreSQL round trip each — that query was most of the server's work for a connection.
 *
 * A remembered answer never outlives the credential on this instance:
 * - a revocation announced by this process drops it synchronously (`onLocalRevocation`), before
 *   the service's call returns; one announced by another instance drops it when the bus delivers
 *   it, as it ends the open sockets that credential carried (trpc/credentials.ts);
 * - while the bus reconnects (revocations may have been missed) everything is forgotten;
 * - an answer is kept at most TTL_MS, and never past the login's own expiry;
 * - an answer that a revocation overtook while it was being looked up is not kept.
 * HTTP requests do not use it: each still asks the database (their callers' names and roles are
 * read fresh, and a login slides forward there).
 */
import { hashSecret } from "@/server/features/auth/tokens";
import type { Caller } from "@/server/features/auth/service";
import type { Revocation } from "@/server/bus/revocations";

const TTL_MS = 10_000;
/** Bounds memory whatever the clients send: past it, the oldest answers go first. */
const MAX_ENTRIES = 10_000;

interface Entry {
  caller: Caller;
  until: number;
}

export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Caller | null>>();
  /** Counts revocations and clears: an answer looked up across one of them is not kept. */
  private generation = 0;

  constructor(private readonly ttlMs = TTL_MS) {}

  get size(): number {
    return this.entries.size;
  }

  /** The caller a secret stood for a moment ago, or undefined: ask the database. */
  get(secret: string, now = Date.now()): Caller | undefined {
    const key = hashSecret(secret);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > now) return entry.caller;
    this.entries.delete(key);
    return undefined;
  }

  /**
   * The cached answer, else `lookup`'s, shared by every socket that asks for the same secret
   * while it runs (a client that opens twenty sockets at once costs one query, not twenty).
   */
  async resolve(secret: string, lookup: () => Promise<Caller | null>): Promise<Caller | null> {
    const known = this.get(secret);
    if (known) return known;
    const key = hashSecret(secret);
    let pending = this.pending.get(key);
    if (!pending) {
      const mark = this.generation;
      pending = lookup().then((caller) => {
        if (caller) this.set(secret, caller, mark);
        return caller;
      });
      this.pending.set(key, pending);
      const looked = pending;
      const forget = () => {
        if (this.pending.get(key) === looked) this.pending.delete(key);
      };
      looked.then(forget, forget);
    }
    return pending;
  }

  /** Taken before the database is asked, passed to `set`. */
  mark(): number {
    return this.generation;
  }

  /** Keeps the database's answer, unless a revocation or a clear came since `mark`. */
  set(secret: string, caller: Caller, mark: number, now = Date.now()): void {
    if (mark !== this.generation) return;
    const until = Math.min(now + this.ttlMs, caller.expiresAt ?? Infinity);
    if (until <= now) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    // Only who the secret belongs to: nothing that depends on one request (its renewal, a load test's exemption).
    this.entries.set(hashSecret(secret), { caller: { user: caller.user, loginSessionId: caller.loginSessionId, apiTokenId: caller.apiTokenId, expiresAt: caller.expiresAt }, until });
  }

  /** Forgets every answer the revocation concerns: its login, its token, or any credential of its user. */
  revoke(revocation: Revocation): void {
    this.generation++;
    // A lookup under way may have read the credential before it ended: sockets that come now ask again.
    this.pending.clear();
    for (const [key, { caller }] of this.entries) {
      if (
        (revocation.loginSessionId !== undefined && caller.loginSessionId === revocation.loginSessionId) ||
        (revocation.apiTokenId !== undefined && caller.apiTokenId === revocation.apiTokenId) ||
        (revocation.userId !== undefined && caller.user.id === revocation.userId)
      ) {
        this.entries.delete(key);
      }
    }
  }

  clear(): void {
    this.generation++;
    this.pending.clear();
    this.entries.clear();
  }
}
