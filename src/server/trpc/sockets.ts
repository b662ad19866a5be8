import type { WebSocket } from "ws";
import { CLOSE_CREDENTIALS_REVOKED } from "@/shared/api";
import type { HeldCredential, Revocation } from "@/server/bus/revocations";

export type { HeldCredential, Revocation };

export { CLOSE_CREDENTIALS_REVOKED };

/** Why a live stream ended: the error its caller receives. */
export interface StreamEnd {
  code: "UNAUTHORIZED" | "FORBIDDEN";
  message: string;
}

/** Whether a revocation closes a socket: its login or token ended, or its user's role is no longer the one it holds. */
function revokes(revocation: Revocation, credential: HeldCredential): boolean {
  return (
    (revocation.loginSessionId !== undefined && credential.loginSessionId === revocation.loginSessionId) ||
    (revocation.apiTokenId !== undefined && credential.apiTokenId === revocation.apiTokenId) ||
    (revocation.userId !== undefined && credential.userId === revocation.userId && revocation.role !== credential.role)
  );
}

/**
 * Whether a revocation ends a stream, and how. A lost login or token ends every stream it opened;
 * a role change ends the streams opened as an admin by someone who is no longer one (what they
 * were shown may have depended on it). A promotion ends no stream.
 */
export function streamEnd(revocation: Revocation, credential: HeldCredential): StreamEnd | undefined {
  if (revocation.loginSessionId !== undefined && credential.loginSessionId === revocation.loginSessionId) {
    return { code: "UNAUTHORIZED", message: "This login has ended (signed out or revoked): sign in again." };
  }
  if (revocation.apiTokenId !== undefined && credential.apiTokenId === revocation.apiTokenId) {
    return { code: "UNAUTHORIZED", message: "This API token was revoked." };
  }
  if (revocation.userId === credential.userId && credential.role === "ADMIN" && revocation.role !== "ADMIN") {
    return { code: "FORBIDDEN", message: "Your admin role was removed: this stream needed it." };
  }
  return undefined;
}

/** Revocations remembered for sockets and streams still being authorized (which takes milliseconds). */
const RECENT_REVOCATIONS = 256;

/** A live stream held with a credential: `end` is called (once) if the credential ends first. */
export interface HeldStream {
  readonly credential: HeldCredential;
  end(why: StreamEnd): void;
}

const noRelease = () => undefined;

/**
 * Who holds which credential right now: open WebSockets (whose context is fixed when they open)
 * and live streams over any transport (WebSocket or server-sent events). Revoking a credential
 * ends its streams with their error, then closes its sockets.
 */
export class SocketRegistry {
  private readonly sockets = new Map<WebSocket, HeldCredential>();
  private readonly streams = new Set<HeldStream>();
  private readonly recent: { revocation: Revocation; seq: number }[] = [];
  private seq = 0;

  /** Sockets registered with a credential, open now. */
  authenticatedCount(): number {
    return this.sockets.size;
  }

  /** Live streams held, over any transport. */
  streamCount(): number {
    return this.streams.size;
  }

  /**
   * Take before checking a credential and pass to `add` or `holdStream`: a revocation that arrives
   * while the check is under way (after the database said yes) still ends what it authorized.
   */
  mark(): number {
    return this.seq;
  }

  private revokedSince(mark: number, matches: (revocation: Revocation) => boolean): Revocation | undefined {
    return this.recent.find((r) => r.seq > mark && matches(r.revocation))?.revocation;
  }

  add(socket: WebSocket, credential: HeldCredential, mark = this.seq): void {
    // Closed while its credential was being checked: its "close" event is past, so it would never leave the map.
    if (socket.readyState === socket.CLOSED) return;
    if (this.revokedSince(mark, (revocation) => revokes(revocation, credential))) {
      socket.close(CLOSE_CREDENTIALS_REVOKED, "credentials revoked");
      return;
    }
    this.sockets.set(socket, credential);
    socket.once("close", () => this.sockets.delete(socket));
  }

  /**
   * Holds a live stream until the returned release is called; its `end` is called (once) if its
   * credential ends first — at once, if that happened since `mark`.
   */
  holdStream(held: HeldStream, mark: number): () => void {
    const since = this.revokedSince(mark, (revocation) => streamEnd(revocation, held.credential) !== undefined);
    if (since) {
      held.end(streamEnd(since, held.credential)!);
      return noRelease;
    }
    this.streams.add(held);
    return () => void this.streams.delete(held);
  }

  /** The credentials held now, each once: to check them again against the database. */
  heldCredentials(): HeldCredential[] {
    const seen = new Map<string, HeldCredential>();
    const held = [...this.sockets.values(), ...[...this.streams].map((stream) => stream.credential)];
    for (const credential of held) seen.set(`${credential.userId}/${credential.loginSessionId}/${credential.apiTokenId}/${credential.role}`, credential);
    return [...seen.values()];
  }

  /**
   * Ends the streams a revocation covers (with UNAUTHORIZED or FORBIDDEN), then closes the sockets
   * it covers — on the next turn of the event loop, so that the streams' errors go out first.
   * Returns how many sockets and streams it ended.
   */
  revoke(revocation: Revocation, reason: string): { sockets: number; streams: number } {
    this.recent.push({ revocation, seq: ++this.seq });
    if (this.recent.length > RECENT_REVOCATIONS) this.recent.shift();
    let streams = 0;
    for (const held of this.streams) {
      const why = streamEnd(revocation, held.credential);
      if (!why) continue;
      this.streams.delete(held);
      held.end(why);
      streams++;
    }
    const closing: WebSocket[] = [];
    for (const [socket, credential] of this.sockets) {
      if (!revokes(revocation, credential)) continue;
      this.sockets.delete(socket);
      closing.push(socket);
    }
    if (closing.length) setImmediate(() => closing.forEach((socket) => socket.close(CLOSE_CREDENTIALS_REVOKED, reason)));
    return { sockets: closing.length, streams };
  }
}
