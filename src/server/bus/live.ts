/**
 * A live stream, described by the feature that owns it and delivered by the transport. A
 * service says what to stream (which stored events from where, what one caller sees of each,
 * when it ends); `live()` in trpc/trpc.ts turns the description into a subscription over
 * WebSocket or server-sent events: serialised once for every subscriber, written straight to
 * each socket, slow consumers cut off, ended with the credential that opened it.
 */
import type { EventSource, StoredEvent } from "./stream.js";

/**
 * Stored events: those after `after` (a client's `lastEventId`), or from now when absent, then
 * live ones — in order, each once, on any instance. Delivered as `tracked(id, view)`, so the
 * client can resume from the last id it saw.
 */
export interface EventStream<T, V extends object = T & object> {
  kind: "events";
  source: EventSource<T>;
  after?: bigint;
  /**
   * What this caller sees of an event, or `undefined` to skip it. Default: the stored event.
   * Return the stored object itself (not a copy) whenever you can: it is then serialised once
   * for every subscriber.
   */
  view?: (stored: StoredEvent<T>) => V | undefined;
  /** After an event was delivered: true (or a promise of true) ends the stream there. */
  endsAfter?: (stored: StoredEvent<T>) => boolean | Promise<boolean>;
  /** Served before the other subscribers on this instance (whoever must know at once). */
  first?: boolean;
  /** Nothing more will be written (e.g. an ended session): replay what comes after `after`, then finish. */
  replayOnly?: boolean;
  /** When delivery starts, and when it ends however it ends (presence). */
  onStart?: () => void;
  onEnd?: () => void;
}

/** A fresh value now, then every `everyMs` (a health snapshot, an analytics figure). */
export interface SnapshotStream<T> {
  kind: "snapshots";
  everyMs: number;
  /** Called once per interval per subscriber; cache inside when many subscribers share a value. */
  read: () => Promise<T>;
}

export function eventStream<T, V extends object = T & object>(stream: Omit<EventStream<T, V>, "kind">): EventStream<T, V> {
  return { kind: "events", ...stream };
}

export function snapshotStream<T>(everyMs: number, read: () => Promise<T>): SnapshotStream<T> {
  return { kind: "snapshots", everyMs, read };
}
