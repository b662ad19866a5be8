/**
 * One reader per stream and instance: the part of a resumable stream that every local subscriber
 * shares (stream.ts). A bus announcement makes it read the new rows once and hand them to each.
 */
import type { EventSource, StoredEvent } from "./stream.js";

/** What a hub hands events to: each subscriber of the stream on this instance. */
export interface HubSubscriber<T> {
  deliver(events: StoredEvent<T>[]): void;
}

export const PAGE = 500;
/** After a failed read (the database unreachable), read again this soon even if nothing is announced. */
const RETRY_READ_MS = 1_000;
/**
 * Delivering one event to thousands of sockets takes tens of milliseconds (each a write into the
 * kernel): it goes in slices of about this long, and in between requests and announcements get
 * their turn. Measured (bench/README.md, fan-out): slices of a hundred subscribers cost about a
 * microsecond more per delivery and a longer tail than slices by time.
 */
const DELIVERY_SLICE_MS = 10;
/** How many subscribers between two looks at the clock. */
const CLOCK_EVERY = 64;

/**
 * One reader per stream and instance: a bus announcement makes it read the new rows once and
 * hand them to every local subscriber, so a thousand watchers cost one query per event.
 */
export class StreamHub<T> {
  /** Subscribers served before the others (e.g. a session's host: help requests reach them first). */
  readonly first = new Set<HubSubscriber<T>>();
  readonly subscribers = new Set<HubSubscriber<T>>();
  private lastRead = 0n;
  private ready = false;
  private reading = false;
  private pending = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly source: EventSource<T>) {}

  /** Starts after the newest stored event; must run after the bus listens on the channel. */
  async start(): Promise<void> {
    this.lastRead = await this.source.newestId();
    this.ready = true;
    if (this.pending) this.poke();
  }

  /**
   * Called for each announcement, and when the bus reconnects (announcements may have been lost
   * meanwhile): reads what is new since the last read. Bursts are coalesced into as few reads as
   * possible; a failed read is retried from the same place after a pause.
   */
  poke(): void {
    if (!this.ready || this.reading) {
      this.pending = true;
      return;
    }
    clearTimeout(this.retry);
    this.retry = undefined;
    this.reading = true;
    this.pending = false;
    this.readNew()
      .catch(() => {
        this.retry ??= setTimeout(() => {
          this.retry = undefined;
          this.poke();
        }, RETRY_READ_MS);
      })
      .finally(() => {
        this.reading = false;
        if (this.pending) this.poke();
      });
  }

  /** No subscriber is left: stop retrying. */
  close(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.ready = false;
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const events = await this.source.readAfter(this.lastRead, PAGE);
      if (!events.length) return;
      this.lastRead = events[events.length - 1]!.id;
      this.deliver(events);
      if (events.length < PAGE) return;
    }
  }

  /** The others' deliveries still under way, chained so that each subscriber gets the batches in order. */
  private othersPending: Promise<void> | undefined;

  /**
   * To the first subscribers at once, even while the previous batches are still on their way to
   * the others; to the others in order, a chunk of them per turn of the event loop when they are
   * many. A subscriber added meanwhile reads what it needs of this batch in its backlog.
   */
  private deliver(events: StoredEvent<T>[]): void {
    for (const subscriber of this.first) subscriber.deliver(events);
    if (!this.othersPending && this.subscribers.size <= CLOCK_EVERY) {
      for (const subscriber of this.subscribers) subscriber.deliver(events);
      return;
    }
    const current = (this.othersPending ?? Promise.resolve()).then(() => this.deliverInChunks(events)).catch(() => undefined);
    this.othersPending = current;
    void current.then(() => {
      if (this.othersPending === current) this.othersPending = undefined;
    });
  }

  private async deliverInChunks(events: StoredEvent<T>[]): Promise<void> {
    const everyone = [...this.subscribers];
    let sliceEnds = performance.now() + DELIVERY_SLICE_MS;
    for (let i = 0; i < everyone.length; i++) {
      if (i % CLOCK_EVERY === 0 && i && performance.now() > sliceEnds) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceEnds = performance.now() + DELIVERY_SLICE_MS;
      }
      everyone[i]!.deliver(events);
    }
  }
}

