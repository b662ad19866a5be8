/**
 * A live stream lasts as long as what authorized it. Subscriptions are served over WebSocket and
 * over HTTP (server-sent events), and either may run for hours: when the login session, the API
 * token or the admin role that allowed one ends, on any instance, the stream ends with
 * UNAUTHORIZED or FORBIDDEN — its generator stopped through its signal, its caller told why.
 */
import { TRPCError } from "@trpc/server";
import type { App } from "../app.js";
import type { Caller } from "../features/auth/service.js";
import type { StreamEnd } from "./sockets.js";

/** What a subscription resolver is given, as far as binding it to its caller goes. */
interface ResolverOptions {
  ctx: { app: App; caller: Caller; credentialMark: number };
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
    const { app, caller, credentialMark } = options.ctx;
    const lifetime = new AbortController();
    const parent = options.signal;
    const onParentAbort = () => lifetime.abort();
    parent?.addEventListener("abort", onParentAbort, { once: true });
    if (parent?.aborted) lifetime.abort();

    let ended: TRPCError | undefined;
    let interrupt: ((error: TRPCError) => void) | undefined;
    const release = app.sockets.holdStream(
      { userId: caller.user.id, loginSessionId: caller.loginSessionId, apiTokenId: caller.apiTokenId, role: caller.user.role },
      credentialMark,
      (why: StreamEnd) => {
        ended = new TRPCError({ code: why.code, message: why.message });
        lifetime.abort();
        interrupt?.(ended);
      },
    );
    const finish = () => {
      release();
      parent?.removeEventListener("abort", onParentAbort);
    };

    let iterator: AsyncIterator<T>;
    try {
      if (ended) throw ended;
      iterator = (await resolver({ ...options, signal: lifetime.signal }))[Symbol.asyncIterator]();
    } catch (error) {
      finish();
      throw error;
    }

    const stream: AsyncIterableIterator<T> = {
      [Symbol.asyncIterator]: () => stream,
      next() {
        if (ended) {
          finish();
          return Promise.reject(ended);
        }
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          // The inner stream may be waiting for its next event: a revocation does not wait for it.
          interrupt = (error) => {
            finish();
            reject(error);
          };
          iterator.next().then(
            (result) => {
              interrupt = undefined;
              if (result.done) finish();
              resolve(result);
            },
            (error: unknown) => {
              interrupt = undefined;
              finish();
              reject(error);
            },
          );
        });
      },
      async return(value?: unknown) {
        interrupt = undefined;
        finish();
        lifetime.abort();
        // Not awaited when the inner stream is parked: its aborted signal lets it finish by itself.
        void iterator.return?.(value).catch(() => undefined);
        return { done: true, value: undefined };
      },
    };
    boundStreams.add(stream);
    return stream;
  };
}
