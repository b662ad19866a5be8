/**
 * Who is connected now, per instance: a user is "online" in a session on this instance while at
 * least one of their `sessions.events` streams runs here.
 *
 * Transitions are written to the session's log in batches: at most one `presence` event per
 * session, instance and window (`windowMs`, wider for larger rooms), listing who came online and
 * who went offline on this instance since the previous one. The first transition after a quiet window is written at
 * once (on the next tick); those that follow within the window wait for its end and go together.
 * A thousand people connecting at once thus cost a handful of events, each delivered once to
 * every subscriber, instead of a thousand events delivered a thousand times each (O(n²)).
 *
 * Each batch is reconciled with the current counts, so a quick disconnect/reconnect writes
 * nothing, and an `offline` can never overtake its `online` (writes are serialised per session).
 *
 * Every instance (and every client) merges the events: per user, the set of instances whose last
 * presence event lists them under `online`; the user is online while that set is not empty
 * (`applyPresence`, in src/shared/sessions/presence.ts: the room page folds with it too).
 */
export interface PresenceChange {
  userId: string;
  name: string;
  online: boolean;
}

export type PresenceWriter = (sessionId: string, changes: PresenceChange[]) => Promise<void>;

export { applyPresence, type PresenceBatch, type PresenceUser } from "@/shared/sessions/presence";

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
  /** A transition happened since the last batch was taken. */
  dirty: boolean;
  /** The batch being written, if any. */
  writing: Promise<void> | null;
  /** The next batch, waiting for the window to pass. */
  timer: NodeJS.Timeout | null;
  /** When the last batch was taken (performance.now()); a failed write pushes it forward (back-off). */
  lastBatchAt: number;
}

/** After a failed write, wait this much longer than the window before retrying. */
const RETRY_BACKOFF_MS = 1_000;
/** flush() gives up after this many rounds (a database that keeps failing must not hang shutdown). */
const FLUSH_ROUNDS = 5;

export class Presence {
  private readonly sessions = new Map<string, SessionPresence>();

  constructor(
    private readonly write: PresenceWriter,
    private readonly onError: (error: unknown) => void,
    /**
     * The batching window in ms for a session with this many users tracked on this instance, read
     * at each scheduling (tests may change it). Every presence event goes to every subscriber, so
     * a large room wants a wider window: the cost of presence then stays flat as the room grows.
     */
    private readonly windowMs: (users: number) => number = () => 200,
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

  /**
   * Writes every pending batch now, without waiting for the window, and resolves when all
   * presence writes have finished (for a graceful shutdown).
   */
  async flush(): Promise<void> {
    for (let round = 0; round < FLUSH_ROUNDS; round++) {
      const pending = [...this.sessions].filter(([, s]) => s.writing || s.timer);
      if (!pending.length) return;
      for (const [sessionId, session] of pending) {
        if (session.timer && !session.writing) {
          clearTimeout(session.timer);
          session.timer = null;
          this.startWriting(sessionId, session);
        }
      }
      await Promise.all(pending.map(([, s]) => s.writing));
    }
  }

  private session(sessionId: string): SessionPresence {
    let session = this.sessions.get(sessionId);
    if (!session) this.sessions.set(sessionId, (session = { entries: new Map(), dirty: false, writing: null, timer: null, lastBatchAt: -Infinity }));
    return session;
  }

  private changed(sessionId: string, session: SessionPresence): void {
    session.dirty = true;
    this.schedule(sessionId, session);
  }

  /** Arms the timer for the next batch: at the end of the window that began with the last one. */
  private schedule(sessionId: string, session: SessionPresence): void {
    if (session.writing || session.timer || !session.dirty) return;
    const wait = Math.max(0, session.lastBatchAt + this.windowMs(session.entries.size) - performance.now());
    session.timer = setTimeout(() => {
      session.timer = null;
      this.startWriting(sessionId, session);
    }, wait);
  }

  private startWriting(sessionId: string, session: SessionPresence): void {
    session.lastBatchAt = performance.now();
    session.writing = this.writeBatch(sessionId, session).finally(() => {
      session.writing = null;
      if (session.dirty) this.schedule(sessionId, session);
      else if (session.entries.size === 0 && !session.timer) this.sessions.delete(sessionId);
    });
  }

  private async writeBatch(sessionId: string, session: SessionPresence): Promise<void> {
    session.dirty = false;
    // Every user whose count disagrees with the log (also those a failed write left behind).
    const batch = [...session.entries.values()].filter((entry) => entry.count > 0 !== entry.announced);
    if (batch.length) {
      const changes = batch.map((entry) => ({ userId: entry.userId, name: entry.name, online: entry.count > 0 }));
      try {
        await this.write(sessionId, changes);
        changes.forEach((change, i) => (batch[i]!.announced = change.online));
      } catch (error) {
        // Left as they were: retried after a back-off.
        this.onError(error);
        session.dirty = true;
        session.lastBatchAt = performance.now() + RETRY_BACKOFF_MS;
      }
    }
    for (const [userId, entry] of session.entries) {
      if (entry.count === 0 && !entry.announced) session.entries.delete(userId);
    }
  }
}
