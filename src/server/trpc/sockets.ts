import type { WebSocket } from "ws";

export interface SocketCredential {
  userId: string;
  loginSessionId?: string;
  apiTokenId?: string;
}

/** Close code that tells a client its credentials were revoked (it may reconnect anonymously). */
export const CLOSE_CREDENTIALS_REVOKED = 4001;

/** What was revoked: a login session, an API token, or everything of a user (a role change). */
export interface Revocation {
  loginSessionId?: string;
  apiTokenId?: string;
  userId?: string;
}

function revokes(revocation: Revocation, credential: SocketCredential): boolean {
  return (
    (revocation.loginSessionId !== undefined && credential.loginSessionId === revocation.loginSessionId) ||
    (revocation.apiTokenId !== undefined && credential.apiTokenId === revocation.apiTokenId) ||
    (revocation.userId !== undefined && credential.userId === revocation.userId)
  );
}

/** Revocations remembered for sockets still being authenticated (which takes milliseconds). */
const RECENT_REVOCATIONS = 256;

/**
 * Which open WebSocket was authenticated by which login session or API token. A socket's
 * context is fixed when it opens, so revoking a credential must close its sockets.
 */
export class SocketRegistry {
  private readonly sockets = new Map<WebSocket, SocketCredential>();
  private open = 0;
  private readonly recent: { revocation: Revocation; seq: number }[] = [];
  private seq = 0;

  /** Counts every open socket, signed in or not. */
  track(socket: WebSocket): void {
    this.open++;
    socket.once("close", () => this.open--);
  }

  openCount(): number {
    return this.open;
  }

  /** Sockets registered with a credential, open now. */
  authenticatedCount(): number {
    return this.sockets.size;
  }

  /**
   * Take before checking a socket's credential and pass to `add`: a revocation that arrives while
   * the check is under way (after the database said yes) still closes the socket.
   */
  mark(): number {
    return this.seq;
  }

  add(socket: WebSocket, credential: SocketCredential, mark = this.seq): void {
    // Closed while its credential was being checked: its "close" event is past, so it would never leave the map.
    if (socket.readyState === socket.CLOSED) return;
    if (this.recent.some((r) => r.seq > mark && revokes(r.revocation, credential))) {
      socket.close(CLOSE_CREDENTIALS_REVOKED, "credentials revoked");
      return;
    }
    this.sockets.set(socket, credential);
    socket.once("close", () => this.sockets.delete(socket));
  }

  /** Closes the sockets a revocation covers, now and while they finish authenticating; returns how many. */
  revoke(revocation: Revocation, reason: string): number {
    this.recent.push({ revocation, seq: ++this.seq });
    if (this.recent.length > RECENT_REVOCATIONS) this.recent.shift();
    let closed = 0;
    for (const [socket, credential] of this.sockets) {
      if (!revokes(revocation, credential)) continue;
      socket.close(CLOSE_CREDENTIALS_REVOKED, reason);
      this.sockets.delete(socket);
      closed++;
    }
    return closed;
  }
}
