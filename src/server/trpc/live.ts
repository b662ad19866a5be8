/**
 * Live streams: a feature's description (bus/live.ts) made into a subscription, and bound to
 * the credential that opened it.
 *
 * A live stream lasts as long as what authorized it. Subscriptions are served over WebSocket and
 * over HTTP (server-sent events), and either may run for hours: when the login session, the API
 * token or the admin role that allowed one ends, on any instance, the stream ends with
 * UNAUTHORIZED or FORBIDDEN — its generator stopped through its signal, its caller told why.
 */
import { TRPCError, type TrackedEnvelope } from "@trpc/server";
import type { EventStream, SnapshotStream } from "@/server/bus/live";
import type { StreamSink } from "@/server/bus/stream";
import type { Caller } from "@/server/features/auth/service";
import type { Context } from "./context.js";
import type { HeldCredential, SocketRegistry, StreamEnd } from "./sockets.js";
import { shared, trackedDelivery, type SocketBufferLimits } from "./wire.js";

/** What a subscription resolver is given, as far as binding it to its caller goes. */
interface ResolverOptions {
  ctx: { sockets: SocketRegistry; caller: Caller; credentialMark: number };
  signal: AbortSignal | undefined;
}

/** Streams made by `whileAuthorized`: the authed procedures refuse to serve any other (trpc.ts). */
const boundStreams = new WeakSet<object>();

export function isBoundToCaller(value: unknown): boolean {
  return typeof value === "object" && value !== null && boundStreams.has(value);
}

/**
 * Wraps an authed subscription's resolver: the resolver gets a signal that also aborts when the
 * caller's credential ends, and the stream it returns then fails with the reason. Every
 * subscription built on `authedProcedure` (or `adminProcedure`) must use it.
 */
export function whileAuthorized<TOptions extends ResolverOptions, T>(
  resolver: (options: TOptions) => AsyncIterable<T> | Promise<AsyncIterable<T>>,
): (options: TOptions) => Promise<AsyncIterable<T>> {
  return async (options) => {
    const stream = new AuthorizedStream<T>(options);
    try {
      if (stream.ended) throw stream.ended;
      stream.start((await resolver({ ...options, signal: stream.lifetime.signal }))[Symbol.asyncIterator]());
    } catch (error) {
      stream.finish();
      throw error;
    }
    boundStreams.add(stream);
    return stream;
  };
}

/**
 * An authed subscription's stream, bound to its credential. One object per subscription with
 * its methods on the prototype (it is its own abort listener and its own held stream): thousands
 * of idle subscribers each cost it once, not a dozen closures.
 */
class AuthorizedStream<T> implements AsyncIterableIterator<T> {
  /** Aborts when tRPC stops the subscription or the credential ends: the inner stream's signal. */
  readonly lifetime = new AbortController();
  readonly credential: HeldCredential;
  ended: TRPCError | undefined;
  private iterator: AsyncIterator<T> | undefined;
  private readonly parent: AbortSignal | undefined;
  private readonly release: () => void;
  /** While a `next` waits for the inner stream: how a revocation fails it without waiting. */
  private interrupt: ((error: TRPCError) => void) | undefined;

  constructor(options: ResolverOptions) {
    const { sockets, caller, credentialMark } = options.ctx;
    this.parent = options.signal;
    this.parent?.addEventListener("abort", this, { once: true });
    if (this.parent?.aborted) this.lifetime.abort();
    this.credential = { userId: caller.user.id, loginSessionId: caller.loginSessionId, apiTokenId: caller.apiTokenId, role: caller.user.role };
    this.release = sockets.holdStream(this, credentialMark);
  }

  start(iterator: AsyncIterator<T>): void {
    this.iterator = iterator;
  }

  /** The parent signal aborted (tRPC stopped the subscription). */
  handleEvent(): void {
    this.lifetime.abort();
  }

  /** The credential ended (SocketRegistry). */
  end(why: StreamEnd): void {
    this.ended = new TRPCError({ code: why.code, message: why.message });
    this.lifetime.abort();
    this.interrupt?.(this.ended);
  }

  finish(): void {
    this.release();
    this.parent?.removeEventListener("abort", this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.ended) {
      this.finish();
      return Promise.reject(this.ended);
    }
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      // The inner stream may be waiting for its next event: a revocation does not wait for it.
      this.interrupt = (error) => {
        this.finish();
        reject(error);
      };
      this.iterator!.next().then(
        (result) => {
          this.interrupt = undefined;
          if (result.done) this.finish();
          resolve(result);
        },
        (error: unknown) => {
          this.interrupt = undefined;
          this.finish();
          reject(error);
        },
      );
    });
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.interrupt = undefined;
    this.finish();
    this.lifetime.abort();
    // Not awaited when the inner stream is parked: its aborted signal lets it finish by itself.
    void this.iterator?.return?.(value).catch(() => undefined);
    return { done: true, value: undefined };
  }
}

// ── Delivery: a description made into a stream ──────────────────────────────────────────

/** Resolves after `ms`, or as soon as `signal` aborts; never rejects (an AbortError's stack per subscriber is waste). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

async function* snapshots<T>(stream: SnapshotStream<T>, ctx: DeliveryContext, signal: AbortSignal | undefined): AsyncGenerator<T> {
  const { socket, app } = ctx;
  while (!signal?.aborted) {
    // A receiver that is behind misses snapshots, not memory: the next one supersedes them.
    if (socket && socket.bufferedAmount > app.config.wsPauseBytes) {
      await pause(stream.everyMs, signal);
      continue;
    }
    const value = await stream.read();
    // Every subscriber of this instance is handed the same object: serialised once for all of them.
    yield typeof value === "object" && value !== null ? shared(value) : value;
    await pause(stream.everyMs, signal);
  }
}

type DeliveryContext = Pick<Context, "app" | "socket"> & { caller: Caller | null };

/**
 * Stored events as tracked envelopes, each event serialised once per instance; over WebSocket,
 * after the first, each event's frame built once and written straight to the socket (wire.ts),
 * with back-pressure: a subscriber whose socket holds `wsPauseBytes` unsent is caught up from the
 * log once it drains, and past `slowConsumerBytes` its socket is closed (its client resumes).
 */
function events<T, V extends object>(
  stream: EventStream<T, V>,
  ctx: DeliveryContext,
  signal: AbortSignal | undefined,
): AsyncGenerator<TrackedEnvelope<V>> {
  const { app, socket } = ctx;
  const delivery = trackedDelivery(socket, socketLimits(app));
  const view = stream.view ?? ((stored) => stored.event as unknown as V);
  return app.streams(stream.source, stream.after, {
    signal,
    // The sink writes any envelope that `track` made (V is only what TypeScript knows of it).
    sink: delivery.direct as StreamSink<TrackedEnvelope<V>> | undefined,
    first: stream.first,
    replayOnly: stream.replayOnly,
    onStart: stream.onStart,
    onEnd: stream.onEnd,
    endsAfter: stream.endsAfter,
    map: (stored) => {
      const value = view(stored);
      return value === undefined ? undefined : delivery.track(stored.id, value);
    },
  });
}

/** One limits object per app, shared by all its subscriptions (read on each check: tests change the config). */
const limitsOfApp = new WeakMap<DeliveryContext["app"], SocketBufferLimits>();

function socketLimits(app: DeliveryContext["app"]): SocketBufferLimits {
  let limits = limitsOfApp.get(app);
  if (!limits) {
    const { config, log } = app;
    limits = {
      get pauseBytes() {
        return config.wsPauseBytes;
      },
      get closeBytes() {
        return config.slowConsumerBytes;
      },
      onClose: (bufferedBytes) => log.warn({ bufferedBytes }, "closing a slow consumer's socket"),
    };
    limitsOfApp.set(app, limits);
  }
  return limits;
}

/** What a subscription yields for a described stream. */
export type Delivered<S> = S extends EventStream<infer _T, infer V> ? TrackedEnvelope<V> : S extends SnapshotStream<infer T> ? T : never;

interface LiveOptions {
  ctx: DeliveryContext & { sockets: SocketRegistry; credentialMark: number; endsWithCredential?: true };
  path: string;
  signal: AbortSignal | undefined;
}

/**
 * A subscription resolver from a feature's stream description: `.subscription(live(({ ctx,
 * input }) => service.follow(ctx.caller, input)))`. Checks in the resolver run before the
 * stream starts, so a refused subscription fails with its own code. On `authedProcedure` the
 * stream ends with the caller's credential (whileAuthorized); on `publicProcedure` it does not.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any stored-event and view types: Delivered<S> recovers them
export function live<TOptions extends LiveOptions, S extends EventStream<any, any> | SnapshotStream<unknown>>(
  describe: (options: TOptions) => S | Promise<S>,
): (options: TOptions) => Promise<AsyncIterable<Delivered<S>>> {
  const deliver = async (options: TOptions): Promise<AsyncIterable<Delivered<S>>> => {
    const stream = await describe(options);
    const iterable = stream.kind === "snapshots" ? snapshots(stream, options.ctx, options.signal) : events(stream, options.ctx, options.signal);
    return iterable as AsyncIterable<Delivered<S>>;
  };
  const bound = whileAuthorized(deliver as (options: TOptions & ResolverOptions) => Promise<AsyncIterable<Delivered<S>>>);
  return (options) => (options.ctx.endsWithCredential && options.ctx.caller ? bound(options as TOptions & ResolverOptions) : deliver(options));
}
