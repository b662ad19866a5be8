/**
 * The wire: superjson for inputs and outputs, and the WebSocket encoder. Both exist to make a
 * value that goes to many subscribers cost once, not once per subscriber: a chat line in a room
 * of a thousand is serialized once per instance, and after a subscription's first event its
 * events go straight to its socket instead of through tRPC's per-event loop.
 */
import { tracked, type TrackedEnvelope } from "@trpc/server";
import type { Encoder } from "@trpc/server/adapters/ws";
import superjson from "superjson";
import type { WebSocket } from "ws";
import type { StreamSink } from "@/server/bus/stream";
import { metrics } from "@/server/metrics/index";
import { CLOSE_TOO_SLOW } from "@/shared/api";
import { cork, drained, textFrame, uncork, writeFrame } from "./ws-frames.js";

// ── Serialized once ─────────────────────────────────────────────────────────────────────

/** A value's superjson wire form and, when first needed, its JSON text. */
class PreSerialized {
  private json: string | undefined;
  constructor(readonly wire: unknown) {}
  get text(): string {
    return (this.json ??= JSON.stringify(this.wire));
  }
  /** Anywhere else (HTTP responses), JSON.stringify sees the plain wire form. */
  toJSON(): unknown {
    return this.wire;
  }
}

/** Values marked by `shared`: their wire form, once computed. */
const sharedForms = new WeakMap<object, PreSerialized | null>();
/** The tracked envelope `{ id, data }` of a shared value, once computed (an event has one id). */
const envelopeForms = new WeakMap<object, { id: string; form: PreSerialized }>();

/**
 * Marks a value that will not change again and goes to many callers (a health snapshot that every
 * `health.live` subscriber receives, a session event): it is serialized once, not once per caller.
 * Never mark an object that is mutated afterwards: its callers would get the old wire form.
 */
export function shared<T extends object>(value: T): T {
  if (!sharedForms.has(value)) sharedForms.set(value, null);
  return value;
}

function sharedForm(value: object): PreSerialized {
  let form = sharedForms.get(value);
  if (!form) sharedForms.set(value, (form = new PreSerialized(superjson.serialize(value))));
  return form;
}

function envelopeForm(id: string, data: object): PreSerialized {
  const cached = envelopeForms.get(data);
  if (cached?.id === id) return cached.form;
  const form = new PreSerialized(superjson.serialize({ id, data }));
  envelopeForms.set(data, { id, form });
  return form;
}

/** tRPC hands a tracked event to the transformer as `{ id, data }`. */
function asTrackedShape(value: object): { id: string; data: object } | undefined {
  const { id, data } = value as { id?: unknown; data?: unknown };
  if (typeof id !== "string" || typeof data !== "object" || data === null) return undefined;
  if (!(data instanceof FirstEvent) && !sharedForms.has(data)) return undefined;
  return Object.keys(value).length === 2 ? { id, data } : undefined;
}

/** superjson, except that shared values (and tracked envelopes of them) are serialized once. */
export const transformer = {
  input: superjson,
  output: {
    serialize(value: unknown): unknown {
      if (typeof value !== "object" || value === null) return superjson.serialize(value);
      if (sharedForms.has(value)) return sharedForm(value);
      const envelope = asTrackedShape(value);
      if (!envelope) return superjson.serialize(value);
      const { id, data } = envelope;
      if (data instanceof FirstEvent) return new FirstEventWire(envelopeForm(id, data.value), data.subscription);
      return envelopeForm(id, data);
    },
    deserialize: superjson.deserialize,
  },
};

// ── Straight to the socket ──────────────────────────────────────────────────────────────

type SubscriptionId = string | number;

/**
 * A response frame carrying pre-serialized data: exactly what JSON.stringify makes of tRPC's
 * `{ id, jsonrpc?, result: { type, id?, data } }`, with the shared part spliced in.
 */
function frame(id: SubscriptionId, jsonrpc: string | undefined, type: string, eventId: string | undefined, data: string): string {
  const rpc = jsonrpc === undefined ? "" : `,"jsonrpc":${JSON.stringify(jsonrpc)}`;
  const tracking = eventId === undefined ? "" : `,"id":${JSON.stringify(eventId)}`;
  return `{"id":${JSON.stringify(id)}${rpc},"result":{"type":${JSON.stringify(type)},"data":${data}${tracking}}}`;
}

/** A data response frame's JSON text before its data: `{"id":…,"jsonrpc":…,"result":{"type":"data","data":`. */
function dataFramePrefix(id: SubscriptionId, jsonrpc: string | undefined): string {
  const rpc = jsonrpc === undefined ? "" : `,"jsonrpc":${JSON.stringify(jsonrpc)}`;
  return `{"id":${JSON.stringify(id)}${rpc},"result":{"type":"data","data":`;
}

/**
 * The frames of one event, built once per instance for each distinct subscription id and
 * `jsonrpc` (browsers' subscriptions have a handful of ids between them): keyed by the frame's
 * prefix, the only part that differs between subscribers.
 */
const framesOfEvent = new WeakMap<PreSerialized, Map<string, Buffer>>();

function eventFrame(prefix: string, eventId: string, form: PreSerialized): Buffer {
  let frames = framesOfEvent.get(form);
  if (!frames) framesOfEvent.set(form, (frames = new Map()));
  let built = frames.get(prefix);
  if (!built) frames.set(prefix, (built = textFrame(`${prefix}${form.text},"id":${JSON.stringify(eventId)}}}`)));
  return built;
}

/**
 * One WebSocket subscription's tracked events. tRPC never tells a procedure its subscription's id,
 * so the first event goes through tRPC as usual, marked: the encoder sees the id it is sent
 * under and binds the subscription. From then on `send` writes each event's frame, built once for
 * every subscriber with the same id, to the socket itself: no per-event promise, object spreads,
 * stringify or framing per subscriber. tRPC still owns the subscription: stopping it, closing the
 * socket, or the stream ending go through it.
 */
class DirectSubscription implements StreamSink<TrackedEnvelope<object>>, TrackedDelivery {
  private prefix: string | undefined;

  /** It is its own sink (see TrackedDelivery). */
  get direct(): this {
    return this;
  }

  constructor(
    readonly socket: WebSocket,
    private readonly limits: SocketBufferLimits,
  ) {}

  bind(id: SubscriptionId, jsonrpc: string | undefined): void {
    this.prefix ??= dataFramePrefix(id, jsonrpc);
  }

  track<T extends object>(eventId: bigint, value: T): TrackedEnvelope<T> {
    if (this.prefix !== undefined) return sharedEnvelope(eventId, value);
    // Typed as T for tRPC's inference; on the wire it is T's own serialized form.
    return tracked(eventId.toString(), new FirstEvent(shared(value), this) as unknown as T);
  }

  /** Writes a tracked event's frame to the socket; false while unbound (yield it instead). */
  send(envelope: TrackedEnvelope<object>): boolean {
    if (this.prefix === undefined) return false;
    const [eventId, data] = envelope;
    writeFrame(this.socket, eventFrame(this.prefix, eventId, envelopeForm(eventId, data)));
    return true;
  }

  /**
   * Past `pauseBytes` unsent, the stream stops writing and catches up from the log once the
   * socket drains; past `closeBytes` (what else went to the socket meanwhile: other
   * subscriptions, answers) the socket is closed and its client resumes from its last event id.
   */
  congested(): boolean {
    const buffered = this.socket.bufferedAmount;
    if (buffered <= this.limits.pauseBytes) return false;
    if (buffered > this.limits.closeBytes) closeTooSlow(this.socket, this.limits);
    return true;
  }

  drained(): Promise<void> {
    return drained(this.socket);
  }

  cork(): void {
    cork(this.socket);
  }

  uncork(): void {
    uncork(this.socket);
  }
}

/** How much a socket may hold unsent (see DirectSubscription.congested); `onClose` is told when one is closed. */
export interface SocketBufferLimits {
  pauseBytes: number;
  closeBytes: number;
  onClose?: (bufferedBytes: number) => void;
}

/** A close frame waits behind what the socket holds: this long, then the socket is dropped. */
const CLOSE_TOO_SLOW_GRACE_MS = 5_000;

function closeTooSlow(socket: WebSocket, limits: SocketBufferLimits): void {
  if (socket.readyState !== socket.OPEN) return;
  metrics.wsSlowClosed.inc();
  limits.onClose?.(socket.bufferedAmount);
  socket.close(CLOSE_TOO_SLOW, "Too far behind: reconnect and resume from your last event id.");
  setTimeout(() => socket.terminate(), CLOSE_TOO_SLOW_GRACE_MS).unref();
}

/** A subscription's first event, marked so that the encoder can bind the subscription. */
class FirstEvent {
  constructor(
    readonly value: object,
    readonly subscription: DirectSubscription,
  ) {}
}

/** …and its wire form, which the encoder recognizes. */
class FirstEventWire {
  constructor(
    readonly form: PreSerialized,
    readonly subscription: DirectSubscription,
  ) {}
  toJSON(): unknown {
    return this.form.wire;
  }
}

/** The envelope of each event's value, made once for all its subscribers (a value belongs to one event). */
const sharedEnvelopes = new WeakMap<object, TrackedEnvelope<object>>();

function sharedEnvelope<T extends object>(eventId: bigint, value: T): TrackedEnvelope<T> {
  let envelope = sharedEnvelopes.get(value);
  if (!envelope) sharedEnvelopes.set(value, (envelope = tracked(eventId.toString(), shared(value))));
  return envelope as TrackedEnvelope<T>;
}

export interface TrackedDelivery {
  /** `tracked(id, value)`, with `value` serialized once for every subscriber. */
  track<T extends object>(eventId: bigint, value: T): TrackedEnvelope<T>;
  /** Over WebSocket: writes envelopes made by `track` to the socket without yielding them, once bound. */
  readonly direct?: DirectSubscription;
}

/** Over server-sent events: every subscriber yields the same envelopes. */
const sharedDelivery: TrackedDelivery = { track: sharedEnvelope };

/** How a subscription's tracked events reach its caller: straight to the socket over WebSocket. */
export function trackedDelivery(socket: WebSocket | undefined, limits: SocketBufferLimits): TrackedDelivery {
  return socket ? new DirectSubscription(socket, limits) : sharedDelivery;
}

export type { DirectSubscription };

interface ResponseMessage {
  id: SubscriptionId;
  jsonrpc?: string;
  result: { type: string; id?: string; data: unknown };
}

function isPreSerializedResponse(message: unknown): message is ResponseMessage {
  const data = (message as Partial<ResponseMessage> | null)?.result?.data;
  return data instanceof PreSerialized || data instanceof FirstEventWire;
}

/** tRPC's JSON encoder, plus: pre-serialized data is spliced in, and first events bind their subscription. */
export const wsEncoder: Encoder = {
  encode(message) {
    metrics.wsMessagesOut.count++;
    if (!isPreSerializedResponse(message)) return JSON.stringify(message);
    const { id, jsonrpc, result } = message;
    let data = result.data as PreSerialized | FirstEventWire;
    if (data instanceof FirstEventWire) {
      data.subscription.bind(id, jsonrpc);
      data = data.form;
    }
    return frame(id, jsonrpc, result.type, result.id, data.text);
  },
  decode(data) {
    if (typeof data !== "string") throw new Error("Expected a text frame: Pulse speaks JSON.");
    return JSON.parse(data);
  },
};
