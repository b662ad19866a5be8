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

/**
 * One reader per stream and instance: a bus announcement makes it read the new rows once and
 * hand them to every local subscriber, so a thousand watchers cost one query per event.
 */
class StreamHub<T> {
  readonly subscribers = new Set<(events: StoredEvent<T>[]) => void>();
  private lastRead = 0n;
  private ready = false;
  private reading = false;
  private pending = false;

  constructor(private readonly source: EventSource<T>) {}

  /** Starts after the newest stored event; must run after the bus listens on the channel. */
  async start(): Promise<void> {
    this.lastRead = await this.source.newestId();
    this.ready = true;
    if (this.pending) this.poke();
  }

  /** Called for each announcement; bursts are coalesced into as few reads as possible. */
  poke(): void {
    if (!this.ready || this.reading) {
      this.pending = true;
      return;
    }
    this.reading = true;
    this.pending = false;
    this.readNew()
      .catch(() => (this.pending = true)) // the next announcement retries from the same place
      .finally(() => {
        this.reading = false;
        if (this.pending) this.poke();
      });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const events = await this.source.readAfter(this.lastRead, PAGE);
      if (!events.length) return;
      this.lastRead = events[events.length - 1]!.id;
      for (const deliver of this.subscribers) deliver(events);
      if (events.length < PAGE) return;
    }
  }
}

export type StreamEvents = <T>(
  source: EventSource<T>,
  lastEventId: bigint | undefined,
  signal: AbortSignal | undefined,
) => AsyncGenerator<StoredEvent<T>>;

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
      },
    };
  }

  return async function* stream<T>(source: EventSource<T>, lastEventId: bigint | undefined, signal: AbortSignal | undefined) {
    const attached = attach(source);
    const queue: StoredEvent<T>[] = [];
    let wake: (() => void) | undefined;
    const deliver = (events: StoredEvent<T>[]) => {
      queue.push(...events);
      wake?.();
    };
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    let hub: StreamHub<T> | undefined;
    try {
      hub = await attached.hub;
      hub.subscribers.add(deliver);
      // Backlog, read after subscribing so nothing falls between it and live delivery.
      let last = lastEventId ?? (await source.newestId());
      for (;;) {
        const page = await source.readAfter(last, PAGE);
        for (const stored of page) {
          if (signal?.aborted) return;
          last = stored.id;
          yield stored;
        }
        if (page.length < PAGE) break;
      }
      while (!signal?.aborted) {
        const next = queue.shift();
        if (!next) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        } else if (next.id > last) {
          last = next.id;
          yield next;
        }
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      hub?.subscribers.delete(deliver);
      attached.detach();
    }
  };
}
