import type { Bus } from "./bus.js";
import { PAGE, StreamHub } from "./stream-hub.js";
import { Subscriber, type StreamSink } from "./subscriber.js";

export type { StreamSink };

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

/**
 * Per-subscriber shaping of a stream, applied inside it (one async generator per subscriber, not
 * a chain of them: with thousands of subscribers every layer costs).
 */
export interface StreamOptions<T, U> {
  signal?: AbortSignal;
  /** What to yield for each event, in order; `undefined` skips the event. Default: the stored event itself. */
  map?: (stored: StoredEvent<T>) => U | undefined;
  /**
   * Where mapped values go without being yielded, when it can take them: a faster path than the
   * consumer pulling each value (straight to a WebSocket), with back-pressure. See StreamSink.
   */
  sink?: StreamSink<U>;
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
 * With a sink, a subscriber that has caught up is written to by the hub's delivery itself (no
 * generator step per event), and one whose receiver falls behind is not written to until it
 * drains, then catches up from the log like a resuming client: what a slow reader costs the
 * server stays bounded by its sink's limit, and it misses nothing.
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

  type HubEntry = { hub: Promise<StreamHub<unknown>>; users: number; unsubscribe?: () => void };

  function attach<T>(source: EventSource<T>): HubEntry {
    let entry = hubs.get(source.channel);
    if (!entry) {
      const hub = new StreamHub(source as EventSource<unknown>);
      const created: HubEntry = { users: 0, hub: Promise.resolve(hub) };
      created.hub = (async () => {
        created.unsubscribe = await bus.subscribe(source.channel, () => hub.poke());
        await hub.start();
        return hub;
      })();
      hubs.set(source.channel, created);
      entry = created;
    }
    entry.users++;
    return entry;
  }

  function detach(channel: string, entry: HubEntry): void {
    if (--entry.users > 0 || hubs.get(channel) !== entry) return;
    hubs.delete(channel);
    entry.unsubscribe?.();
    void entry.hub.then((hub) => hub.close(), () => undefined);
  }

  /** A closed stream: its stored events after `lastEventId` (or none, from now), then the end. */
  async function* replay<T, U>(source: EventSource<T>, lastEventId: bigint | undefined, options: StreamOptions<T, U>): AsyncGenerator<U> {
    const { signal, map = (stored: StoredEvent<T>) => stored as unknown as U, sink } = options;
    let last = lastEventId ?? (await source.newestId());
    for (;;) {
      const page = await source.readAfter(last, PAGE);
      for (const stored of page) {
        if (signal?.aborted) return;
        last = stored.id;
        const out = map(stored);
        if (out !== undefined && !sink?.send(out)) yield out;
      }
      if (page.length < PAGE) return;
    }
  }

  async function* stream<T, U>(source: EventSource<T>, lastEventId: bigint | undefined, options: StreamOptions<T, U>): AsyncGenerator<U> {
    if (options.replayOnly) return yield* replay(source, lastEventId, options);
    const { signal, map = (stored: StoredEvent<T>) => stored as unknown as U, sink, endsAfter, onEnd } = options;
    const attached = attach(source);
    const me = new Subscriber<T, U>({ map, sink, endsAfter });
    // The subscriber is its own abort listener (handleEvent): direct delivery stops at once.
    signal?.addEventListener("abort", me);
    let hub: StreamHub<T> | undefined;
    try {
      options.onStart?.();
      hub = (await attached.hub) as StreamHub<T>;
      (options.first ? hub.first : hub.subscribers).add(me);
      me.last = lastEventId ?? (await source.newestId());
      for (;;) {
        // From the log, after subscribing so that nothing falls between it and live delivery: the
        // backlog at the start, and after falling behind what was skipped meanwhile.
        for (;;) {
          const page = await source.readAfter(me.last, PAGE);
          for (const stored of page) {
            if (signal?.aborted) return;
            if (stored.id <= me.last) continue;
            const taken = me.take(stored);
            if (taken === "behind") break;
            if (taken === "skip") continue;
            if (taken === "yield") yield me.value!;
            const end = me.ends(stored);
            if (end === true || (end !== false && (await end))) return;
          }
          if (me.behind || page.length < PAGE) break;
        }
        // Live.
        while (!me.behind) {
          if (signal?.aborted) return;
          if (me.failure) throw me.failure.error;
          if (me.ending !== false) {
            const end = me.ending === true || (await me.ending);
            me.ending = false;
            if (end) return;
            continue;
          }
          if (me.head === me.queue.length) {
            if (me.head) [me.queue, me.head] = [[], 0];
            me.direct = me.bound;
            await new Promise<void>((resolve) => (me.wake = resolve));
            me.wake = undefined;
            me.direct = false;
            continue;
          }
          const next = me.queue[me.head++]!;
          if (next.id <= me.last) continue; // already given from the log
          const taken = me.take(next);
          if (taken === "behind" || taken === "skip") continue;
          if (taken === "yield") yield me.value!;
          const end = me.ends(next);
          if (end === true || (end !== false && (await end))) return;
        }
        // Behind: what is queued is in the log. Wait until the receiver has taken what it holds.
        [me.queue, me.head] = [[], 0];
        await new Promise<void>((resolve) => {
          me.wake = resolve;
          void sink!.drained().then(resolve);
        });
        me.wake = undefined;
        me.behind = false;
        if (signal?.aborted) return;
      }
    } finally {
      signal?.removeEventListener("abort", me);
      hub?.first.delete(me);
      hub?.subscribers.delete(me);
      detach(source.channel, attached);
      onEnd?.();
    }
  }

  return (<T, U>(source: EventSource<T>, lastEventId: bigint | undefined, options: AbortSignal | StreamOptions<T, U> | undefined) =>
    stream<T, U>(source, lastEventId, options instanceof AbortSignal || options === undefined ? { signal: options } : options)) as StreamEvents;
}
