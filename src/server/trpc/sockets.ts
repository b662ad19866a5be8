import type { WebSocket } from "ws";

export interface SocketCredential {
  userId: string;
  loginSessionId?: string;
  apiTokenId?: string;
}

/** Close code that tells a client its credentials were revoked (it may reconnect anonymously). */
export const CLOSE_CREDENTIALS_REVOKED = 4001;

/**
 * Which open WebSocket was authenticated by which login session or API token. A socket's
 * context is fixed when it opens, so revoking a credential must close its sockets.
 */
export class SocketRegistry {
  private readonly sockets = new Map<WebSocket, SocketCredential>();
  private open = 0;

  /** Counts every open socket, signed in or not. */
  track(socket: WebSocket): void {
    this.open++;
    socket.once("close", () => this.open--);
  }

  openCount(): number {
    return this.open;
  }

  add(socket: WebSocket, credential: SocketCredential): void {
    // Closed while its credential was being checked: its "close" event is past, so it would never leave the map.
    if (socket.readyState === socket.CLOSED) return;
    this.sockets.set(socket, credential);
    socket.once("close", () => this.sockets.delete(socket));
  }

  /** Closes every socket matching the predicate; returns how many. */
  closeWhere(match: (credential: SocketCredential) => boolean, reason: string): number {
    let closed = 0;
    for (const [socket, credential] of this.sockets) {
      if (!match(credential)) continue;
      socket.close(CLOSE_CREDENTIALS_REVOKED, reason);
      this.sockets.delete(socket);
      closed++;
    }
    return closed;
  }
}
