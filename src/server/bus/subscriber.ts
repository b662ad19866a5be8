/**
 * One subscriber's place in a resumable stream (stream.ts): the last id it was given, the live
 * events waiting for its generator, and — when it has a sink (a WebSocket) — live events written
 * by the hub's own delivery with no generator step, until the receiver falls behind.
 */
import type { HubSubscriber } from "./stream-hub.js";
import type { StoredEvent } from "./stream.js";

/**
 * Where mapped values can go without being yielded, with its back-pressure: a WebSocket
 * subscription (trpc/wire.ts). Order, skipping and `endsAfter` are the same either way.
 */
export interface StreamSink<U> {
  /** Writes a value; false while it cannot (the value is yielded instead). */
  send(value: U): boolean;
  /**
   * True while the receiver is behind (its socket holds too many unsent bytes): nothing more is
   * sent; the stream waits for `drained`, then reads what it skipped back from the log.
   */
  congested(): boolean;
  /** Resolves when the receiver has taken what was buffered for it (or is gone). */
  drained(): Promise<void>;
  /** Around several sends in a row: they reach the kernel together. */
  cork(): void;
  uncork(): void;
}

export interface SubscriberOptions<T, U> {
  map: (stored: StoredEvent<T>) => U | undefined;
  sink?: StreamSink<U>;
  endsAfter?: (stored: StoredEvent<T>) => boolean | Promise<boolean>;
}

export class Subscriber<T, U> implements HubSubscriber<T> {
  /** The id of the last event this subscriber was given (or skipped): everything at or below it is done. */
  last = 0n;
  /** Live events waiting for the generator: queue[head..] (an index, not shift(): a lagging queue may be long). */
  queue: StoredEvent<T>[] = [];
  head = 0;
  /** Set while the generator waits for something to do. */
  wake: (() => void) | undefined;
  /** Live events are sent from `deliver`, with no generator step, while this holds (set by the waiting generator). */
  direct = false;
  /** The sink has taken a value: its subscription is bound, and later values can skip the generator. */
  bound = false;
  /** The receiver fell behind: live events are dropped here (they are in the log) until it drains and catches up. */
  behind = false;
  /** What `map` or `endsAfter` threw in `deliver`: the generator throws it (it ends this subscriber, not the hub's delivery). */
  failure: { error: unknown } | undefined;
  /** An event sent by `deliver` may end the stream: its answer, for the generator to act on. */
  ending: boolean | Promise<boolean> = false;

  constructor(private readonly options: SubscriberOptions<T, U>) {}

  /** The stream's signal aborted: the hub's next batch must not reach a stopped subscription. */
  handleEvent(): void {
    this.direct = false;
    this.wake?.();
  }

  deliver(events: StoredEvent<T>[]): void {
    if (this.direct) return this.sendLive(events);
    if (this.behind) return;
    for (const event of events) this.queue.push(event);
    this.wake?.();
  }

  /** Whether the stream ends after this event; sync answers stay sync (no extra await per event). */
  ends(stored: StoredEvent<T>): boolean | Promise<boolean> {
    return this.options.endsAfter?.(stored) ?? false;
  }

  /**
   * Sends the events after `last` straight to the sink, in this turn of the event loop. Hands
   * back to the generator (waking it) when one of them may end the stream, or the receiver is behind.
   */
  private sendLive(events: StoredEvent<T>[]): void {
    const { sink, map } = this.options;
    const several = events.length > 1;
    if (several) sink!.cork();
    try {
      for (let i = 0; i < events.length; i++) {
        const stored = events[i]!;
        if (stored.id <= this.last) continue;
        if (sink!.congested()) {
          this.behind = true;
          return this.handBack();
        }
        this.last = stored.id;
        const out = map(stored);
        if (out === undefined) continue;
        sink!.send(out);
        const end = this.ends(stored);
        if (end === false) continue;
        this.ending = end;
        for (let j = i + 1; j < events.length; j++) this.queue.push(events[j]!);
        return this.handBack();
      }
    } catch (error) {
      this.failure = { error };
      this.handBack();
    } finally {
      if (several) sink!.uncork();
    }
  }

  private handBack(): void {
    this.direct = false;
    this.wake?.();
  }

  /** The value `take` answered "yield" for. */
  value: U | undefined;

  /**
   * One event in the generator: "sent" to the sink, "yield" (`value` holds it), "skip" (nothing
   * for this subscriber), or "behind" (not taken: the receiver cannot take more now).
   */
  take(stored: StoredEvent<T>): "sent" | "yield" | "skip" | "behind" {
    const { sink, map } = this.options;
    if (sink?.congested()) {
      this.behind = true;
      return "behind";
    }
    this.last = stored.id;
    const out = map(stored);
    if (out === undefined) return "skip";
    if (sink?.send(out)) {
      this.bound = true;
      return "sent";
    }
    this.value = out;
    return "yield";
  }
}
