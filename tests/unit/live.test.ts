/**
 * The tRPC layer's rule for live streams, on its own: an authed subscription must be bound to its
 * caller's credential (`whileAuthorized`), and a bound one ends with its credential — the caller
 * gets the reason, and the stream behind it is stopped through its signal even while it waits.
 */
import { describe, expect, it } from "vitest";
import type { App } from "@/server/app";
import { DatabaseAvailability } from "@/server/db/availability";
import type { Caller } from "@/server/features/auth/service";
import { createLogger } from "@/server/log";
import { ConnectionCount } from "@/server/metrics/connections";
import { Measurements } from "@/server/metrics/measurements";
import type { Context } from "@/server/trpc/context";
import { SocketRegistry } from "@/server/trpc/sockets";
import { whileAuthorized } from "@/server/trpc/live";
import { authedProcedure, createCallerFactory, router } from "@/server/trpc/trpc";

const caller: Caller = {
  user: { id: "u1", email: "a@example.com", name: "A", role: "USER", createdAt: new Date(0) },
  loginSessionId: "s1",
};

/** The parts of a context these procedures touch: the socket registry, the availability monitor. */
function context(sockets: SocketRegistry): Context {
  const log = createLogger("silent");
  const databaseAvailability = new DatabaseAvailability(undefined as never, log);
  // Measuring off: these calls are not what is measured here (and there is no database to write to).
  const measurements = new Measurements({ pool: undefined as never, log, instanceId: "test", availability: databaseAvailability, queueDepth: async () => 0, connections: new ConnectionCount(), enabled: false });
  const app = { databaseAvailability, measurements } as unknown as App;
  return {
    app,
    sockets,
    caller,
    credentialMark: sockets.mark(),
    meta: { ip: "127.0.0.1", origin: "http://localhost" },
    requestId: "test-request",
    setSessionCookie: () => undefined,
    setRetryAfter: () => undefined,
  };
}

let innerFinished = false;
const testRouter = router({
  unbound: authedProcedure.subscription(async function* () {
    yield 1;
  }),
  bound: authedProcedure.subscription(
    whileAuthorized(async function* ({ signal }) {
      try {
        yield 1;
        // Parked until aborted, as a stream waiting for its next event is.
        await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
      } finally {
        innerFinished = true;
      }
    }),
  ),
});
const createCaller = createCallerFactory(testRouter);

describe("authed subscriptions and their caller's credential", () => {
  it("refuses to serve an authed subscription that is not bound to its caller", async () => {
    const call = createCaller(context(new SocketRegistry())).unbound();
    await expect(call).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR", message: expect.stringMatching(/live\(\)/) });
  });

  it("ends a bound stream with UNAUTHORIZED when its login is revoked, and stops the stream behind it", async () => {
    const sockets = new SocketRegistry();
    const stream = await createCaller(context(sockets)).bound();
    const iterator = stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    expect(sockets.streamCount()).toBe(1);
    const waiting = iterator.next();
    innerFinished = false;
    expect(sockets.revoke({ loginSessionId: "s1" }, "signed out").streams).toBe(1);
    await expect(waiting).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect.poll(() => innerFinished).toBe(true);
    expect(sockets.streamCount()).toBe(0);
  });

  it("lets go of a bound stream that its caller stops", async () => {
    const sockets = new SocketRegistry();
    const iterator = (await createCaller(context(sockets)).bound())[Symbol.asyncIterator]();
    await iterator.next();
    innerFinished = false;
    await iterator.return?.();
    await expect.poll(() => innerFinished).toBe(true);
    expect(sockets.streamCount()).toBe(0);
  });
});
