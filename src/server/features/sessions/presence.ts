/**
 * Who is connected now, per instance: a user is "online" in a session on this instance while at
 * least one of their `sessions.events` streams runs here. Transitions are written to the
 * session's log as `online` / `offline` events carrying this instance's id, so every instance
 * (and every client) merges them: a user is online while some instance's last word for them is
 * `online`.
 *
 * Writes are serialised per session and batched: while one batch is being written, the next
 * transitions accumulate and go in one transaction (one lock, one announcement) — a thousand
 * people connecting at once cost a handful of transactions, not a thousand. Each batch is
 * reconciled with the current counts, so a quick disconnect/reconnect writes nothing, and an
 * `offline` can never overtake its `online`.
 */
export interface PresenceChange {
  userId: string;
  name: string;
  online: boolean;
}

export type PresenceWriter = (sessionId: string, changes: PresenceChange[]) => Promise<void>;

interface Entry {
  userId: string;
  name: string;
  /** Streams open on this instance. */
  count: number;
  /** What the log last says about this user on this instance. */
  announced: boolean;
}

interface SessionPresence {
  entries: Map<string, Entry>;
  /** A transition happened since the last pass. */
  dirty: boolean;
  writing: Promise<void> | null;
}

export class Presence {
  private readonly sessions = new Map<string, SessionPresence>();

  constructor(
    private readonly write: PresenceWriter,
    private readonly onError: (error: unknown) => void,
  ) {}

  enter(sessionId: string, userId: string, name: string): void {
    const session = this.session(sessionId);
    let entry = session.entries.get(userId);
    if (!entry) session.entries.set(userId, (entry = { userId, name, count: 0, announced: false }));
    entry.name = name;
    entry.count++;
    this.changed(sessionId, session);
  }

  exit(sessionId: string, userId: string): void {
    const session = this.sessions.get(sessionId);
    const entry = session?.entries.get(userId);
    if (!session || !entry || entry.count === 0) return;
    entry.count--;
    this.changed(sessionId, session);
  }

  /** Resolves when every pending presence write has finished (for a graceful shutdown). */
  async flush(): Promise<void> {
    while ([...this.sessions.values()].some((s) => s.writing)) {
      await Promise.all([...this.sessions.values()].map((s) => s.writing));
    }
  }

  private session(sessionId: string): SessionPresence {
    let session = this.sessions.get(sessionId);
    if (!session) this.sessions.set(sessionId, (session = { entries: new Map(), dirty: false, writing: null }));
    return session;
  }

  private changed(sessionId: string, session: SessionPresence): void {
    session.dirty = true;
    if (!session.writing) this.startDraining(sessionId, session);
  }

  private startDraining(sessionId: string, session: SessionPresence): void {
    session.writing = this.drain(sessionId, session).finally(() => {
      session.writing = null;
      if (session.dirty) this.startDraining(sessionId, session);
      else if (session.entries.size === 0) this.sessions.delete(sessionId);
    });
  }

  private async drain(sessionId: string, session: SessionPresence): Promise<void> {
    // Let the transitions of the current tick gather first.
    await Promise.resolve();
    while (session.dirty) {
      session.dirty = false;
      // Every user whose count disagrees with the log (also those a failed write left behind).
      const batch = [...session.entries.values()].filter((entry) => entry.count > 0 !== entry.announced);
      if (batch.length) {
        const changes = batch.map((entry) => ({ userId: entry.userId, name: entry.name, online: entry.count > 0 }));
        try {
          await this.write(sessionId, changes);
          changes.forEach((change, i) => (batch[i]!.announced = change.online));
        } catch (error) {
          // Left as they were: the session's next transition retries them.
          this.onError(error);
        }
      }
      for (const [userId, entry] of session.entries) {
        if (entry.count === 0 && !entry.announced) session.entries.delete(userId);
      }
    }
  }
}
