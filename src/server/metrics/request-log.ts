/**
 * The request log between flushes. A burst of successful calls must not become a burst of rows,
 * so they are sampled per second (ANALYTICS_LOG_PER_S); failures are always kept, they are what
 * people come looking for. The buffer is bounded: while the database is away rows pile up here,
 * and past the cap they are dropped and counted rather than growing the heap.
 */
import type { CallRecord } from "./call.js";
import { OK, type CallKind } from "./ring.js";
import { clean, type LogRow } from "./store.js";

/** Rows held between flushes (or while the database is away); beyond, rows are dropped and counted. */
const MAX_LOG_BUFFER = 10_000;
const MAX_PATH = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RequestLog {
  private readonly perSecond: number;
  private rows: LogRow[] = [];
  private second = -1;
  private loggedThisSecond = 0;
  /** Rows lost to a full buffer since the last warning: whoever warns resets it. */
  dropped = 0;
  /** Successful calls left out by the sampling, ever: it tells a reader of the warning how much the log leaves out. */
  sampledOut = 0;

  constructor(perSecond: number) {
    this.perSecond = perSecond;
  }

  /** On the hot path: one row object at most, nothing else allocated. */
  add(call: CallRecord, now: number, kind: CallKind): void {
    if (kind === OK) {
      const second = Math.floor(now / 1000);
      if (second !== this.second) {
        this.second = second;
        this.loggedThisSecond = 0;
      }
      if (this.loggedThisSecond >= this.perSecond) {
        this.sampledOut++;
        return;
      }
      this.loggedThisSecond++;
    }
    if (this.rows.length >= MAX_LOG_BUFFER) {
      this.dropped++;
      return;
    }
    const userId = call.userId !== null && UUID.test(call.userId) ? call.userId : null;
    // A procedure path is decoded from the URL: it can hold anything, NUL included.
    let path = call.path;
    if (path.length > MAX_PATH || path.includes("\0")) path = clean(path, MAX_PATH);
    this.rows.push({
      at: new Date(now),
      requestId: call.requestId,
      transport: call.transport,
      method: call.method,
      path,
      route: call.route,
      status: call.status,
      code: call.code,
      durationMs: call.durationMs,
      userId,
    });
  }

  /** Everything held, handed over to be written; calls recorded meanwhile start a new buffer. */
  take(): LogRow[] {
    const rows = this.rows;
    this.rows = [];
    return rows;
  }

  /** Rows that could not be written go back in front of the newer ones, as far as the cap allows. */
  restore(rows: LogRow[]): void {
    const room = MAX_LOG_BUFFER - this.rows.length;
    if (rows.length > room) this.dropped += rows.length - Math.max(0, room);
    this.rows = rows.slice(0, Math.max(0, room)).concat(this.rows);
  }
}
