import type { Bus } from "./bus.js";

export interface StoredEvent<T> {
  id: bigint;
  event: T;
}

/** A stream of stored events, e.g. one live session's event log. */
export interface EventSource<T> {
  /** The bus channel on which the ids of this stream's new events are announced. */
  channel: string;
  /** Stored events with id > afterId, oldest first, at most `limit`. */
  readAfter(afterId: bigint, limit: number): Promise<StoredEvent<T>[]>;
  /** The newest stored id, or 0n when there is none: where a subscriber without a last id starts. */
  newestId(): Promise<bigint>;
}

const PAGE = 500;
/** After a failed read (the database unreachable), read again this soon even if nothing is announced. */
const RETRY_READ_MS = 1_000;
/**
 * Subscribers handed a batch per turn of the event loop. Delivering one event to thousands of
 * sockets takes tens of milliseconds; in between, requests and announcements get their turn.
 */
const DELIVERY_CHUNK = 100;

/**
 * One reader per stream and instance: a bus announcement makes it read the new rows once and
 * hand them to every local subscriber, so a thousand watchers cost one query per event.
 */
class StreamHub<T> {
  /** Subscribers served before the others (e.g. a session's host: help requests reach them first). */
  readonly first = new Set<(events: StoredEvent<T>[]) => void>();
  readonly subscribers = new Set<(events: StoredEvent<T>[]) => void>();
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
    for (const deliver of this.first) deliver(events);
    if (!this.othersPending && this.subscribers.size <= DELIVERY_CHUNK) {
      for (const deliver of this.subscribers) deliver(events);
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
    for (let start = 0; start < everyone.length; start += DELIVERY_CHUNK) {
      if (start) await new Promise((resolve) => setImmediate(resolve));
      for (const deliver of everyone.slice(start, start + DELIVERY_CHUNK)) deliver(events);
    }
  }
}

/**
 * Per-subscriber shaping of a stream, applied inside it (one async generator per subscriber, not
 * a chain of them: with thousands of subscribers every layer costs).
 */
export interface StreamOptions<T, U> {
  signal?: AbortSignal;
  /** What to yield for each event, in order; `undefined` skips the event. Default: the stored event itself. */
  map?: (stored: StoredEvent<T>) => U | undefined;
  /**
   * Delivers a mapped value without yielding it, when it can (then returns true): a faster path
   * than the consumer pulling each value, e.g. straight to a WebSocket. Order, skipping and
   * `endsAfter` are the same either way.
   */
  send?: (value: U) => boolean;
  /** Called after an event was yielded (or sent): true (or a promise of true) ends the stream there. */
  endsAfter?: (stored: StoredEvent<T>) => boolean | Promise<boolean>;
  /**
   * Serve this subscriber before the others on this instance. Delivering to thousands of sockets
   * takes tens of milliseconds; whoever must know at once (a session's host) goes first.
   */
  first?: boolean;
  /** Nothing more will be written to this stream: yield what comes after `lastEventId`, then finish (no live part). */
  replayOnly?: boolean;
  /** When the subscriber starts reading (the generator's first step), and when it ends, however it ends. */
  onStart?: () => void;
  onEnd?: () => void;
}

export interface StreamEvents {
  <T>(source: EventSource<T>, lastEventId: bigint | undefined, signal: AbortSignal | undefined): AsyncGenerator<StoredEvent<T>>;
  <T, U>(source: EventSource<T>, lastEventId: bigint | undefined, options: StreamOptions<T, U>): AsyncGenerator<U>;
}

/**
 * Resumable streams of stored events: the events after `lastEventId` from the table, then live
 * ones as they are announced — in order, with no gap and no duplicate, on any instance. The
 * race between backlog and live delivery is closed by listening first, reading the backlog
 * second, and dropping live events whose id is not above the last one yielded.
 *
 * Writers must commit a stream's events in id order (insert under a per-stream lock) and
 * announce each id on the channel after the commit.
 */
export function createStreams(bus: Bus): StreamEvents {
  const hubs = new Map<string, { hub: Promise<StreamHub<unknown>>; users: number; unsubscribe?: () => void }>();
  // Announcements made while the bus was reconnecting never arrive: every stream re-reads from
  // its last read id, and each subscriber drops what it already has.
  bus.onReconnect(() => {
    for (const entry of hubs.values()) void entry.hub.then((hub) => hub.poke(), () => undefined);
  });

  function attach<T>(source: EventSource<T>) {
    let entry = hubs.get(source.channel);
    if (!entry) {
      const hub = new StreamHub(source as EventSource<unknown>);
      const created: { hub: Promise<StreamHub<unknown>>; users: number; unsubscribe?: () => void } = { users: 0, hub: Promise.resolve(hub) };
      created.hub = (async () => {
        created.unsubscribe = await bus.subscribe(source.channel, () => hub.poke());
        await hub.start();
        return hub;
      })();
      hubs.set(source.channel, created);
      entry = created;
    }
    entry.users++;
    const current = entry;
    return {
      hub: current.hub as Promise<StreamHub<T>>,
      detach() {
        if (--current.users > 0 || hubs.get(source.channel) !== current) return;
        hubs.delete(source.channel);
        current.unsubscribe?.();
        void current.hub.then((hub) => hub.close(), () => undefined);
      },
    };
  }

  /** A closed stream: its stored events after `lastEventId` (or none, from now), then the end. */
  async function* replay<T, U>(source: EventSource<T>, lastEventId: bigint | undefined, options: StreamOptions<T, U>): AsyncGenerator<U> {
    const { signal, map = (stored: StoredEvent<T>) => stored as unknown as U, send } = options;
    let last = lastEventId ?? (await source.newestId());
    for (;;) {
      const page = await source.readAfter(last, PAGE);
      for (const stored of page) {
        if (signal?.aborted) return;
        last = stored.id;
        const out = map(stored);
        if (out !== undefined && !send?.(out)) yield out;
      }
      if (page.length < PAGE) return;
    }
  }

  async function* stream<T, U>(source: EventSource<T>, lastEventId: bigint | undefined, options: StreamOptions<T, U>): AsyncGenerator<U> {
    if (options.replayOnly) return yield* replay(source, lastEventId, options);
    const { signal, map = (stored: StoredEvent<T>) => stored as unknown as U, send, endsAfter, onEnd } = options;
    const attached = attach(source);
    // Live events waiting to be yielded: queue[head..] (an index, not shift(): a lagging subscriber's queue may be long).
    let queue: StoredEvent<T>[] = [];
    let head = 0;
    let wake: (() => void) | undefined;
    const deliver = (events: StoredEvent<T>[]) => {
      for (const event of events) queue.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    let hub: StreamHub<T> | undefined;
    /** Sync answers stay sync: no extra await per event. */
    const ends = (stored: StoredEvent<T>): boolean | Promise<boolean> => endsAfter?.(stored) ?? false;
    try {
      options.onStart?.();
      hub = await attached.hub;
      (options.first ? hub.first : hub.subscribers).add(deliver);
      // Backlog, read after subscribing so nothing falls between it and live delivery.
      let last = lastEventId ?? (await source.newestId());
      for (;;) {
        const page = await source.readAfter(last, PAGE);
        for (const stored of page) {
          if (signal?.aborted) return;
          last = stored.id;
          const out = map(stored);
          if (out === undefined) continue;
          if (!send?.(out)) yield out;
          const end = ends(stored);
          if (end === true || (end !== false && (await end))) return;
        }
        if (page.length < PAGE) break;
      }
      while (!signal?.aborted) {
        if (head === queue.length) {
          if (head) [queue, head] = [[], 0];
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const next = queue[head++]!;
        if (next.id <= last) continue; // already yielded from the backlog
        last = next.id;
        const out = map(next);
        if (out === undefined) continue;
        if (!send?.(out)) yield out;
        const end = ends(next);
        if (end === true || (end !== false && (await end))) return;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      hub?.first.delete(deliver);
      hub?.subscribers.delete(deliver);
      attached.detach();
      onEnd?.();
    }
  }

  return (<T, U>(source: EventSource<T>, lastEventId: bigint | undefined, options: AbortSignal | StreamOptions<T, U> | undefined) =>
    stream<T, U>(source, lastEventId, options instanceof AbortSignal || options === undefined ? { signal: options } : options)) as StreamEvents;
}
