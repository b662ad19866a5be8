/**
 * Load shedding, on a server whose event loop is really blocked (a test-only procedure spins the
 * CPU): past the line, new non-essential requests get 503 with Retry-After at once (tRPC calls with
 * a proper error, pages and downloads in plain text), while health, sign-in, who-am-I and live
 * subscriptions (SSE and WebSocket) keep working; once the loop is calm again it clears by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { App } from "@/server/app";
import { defineFeature } from "@/server/feature";
import { features } from "@/server/features/index";
import { publicProcedure, router } from "@/server/trpc/trpc";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { eventually, mutate, query, RawSocket } from "./support/raw";

/** Blocks the event loop for `ms`: what an overloaded process looks like from the inside. */
const spinFeature = defineFeature({
  name: "spin",
  createService: (_app: App) => ({}),
  router: () =>
    router({
      spin: publicProcedure.input(z.object({ ms: z.number().int().min(1).max(2_000) }).strict()).mutation(({ input }) => {
        const until = performance.now() + input.ms;
        while (performance.now() < until);
        return { spun: input.ms };
      }),
    }),
});

let server: TestServer;
let user: Awaited<ReturnType<typeof signUp>>;
const CLEAR_MS = 1_500;

beforeAll(async () => {
  server = await startTestServer({ shedding: { eventLoopMs: 600, heapPercent: 0, clearAfterMs: CLEAR_MS, sampleEveryMs: 250, retryAfterS: 5 } }, undefined, { features: [...features, spinFeature] });
  user = await signUp(server, "Una");
});
afterAll(async () => {
  await server?.stop();
});

/** Spins until the server says it is shedding (a sample must see the lag). */
async function overload(): Promise<void> {
  await eventually(async () => {
    await mutate(server.url, "spin.spin", { ms: 1_200 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return (await query(server.url, "sessions.list", {}, { token: user.token })).status === 503;
  }, "the server sheds", 15_000);
}

describe("an overloaded server", () => {
  it("refuses non-essential requests with 503 and Retry-After, keeps essentials working, and recovers by itself", async () => {
    // A busy machine lags every process now and then: start from a server that is not shedding.
    await eventually(async () => (await query(server.url, "sessions.list", {}, { token: user.token })).status === 200, "a calm start", CLEAR_MS + 5_000);
    await overload();

    const refused = await query(server.url, "sessions.list", {}, { token: user.token });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(refused.error?.data.code).toBe("SERVICE_UNAVAILABLE");
    expect(refused.error?.message).toMatch(/very busy/);
    expect(refused.error?.data.requestId).toBeTruthy();
    const mutation = await mutate(server.url, "sessions.create", { kind: "meditation", title: "Not now" }, { token: user.token });
    expect(mutation.status).toBe(503);
    const download = await fetch(`${server.url}/api/files/00000000-0000-4000-8000-000000000000/download`, { headers: { Authorization: `Bearer ${user.token}` } });
    expect(download.status).toBe(503);
    expect(download.headers.get("retry-after")).toBe("5");
    expect(await download.text()).toMatch(/very busy/);

    // Essentials: health, sign-in, who am I, a subscription over SSE and over WebSocket.
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    expect([200, 503]).toContain((await fetch(`${server.url}/health`)).status);
    const signIn = await mutate(server.url, "auth.signIn", { email: user.email, password: user.password });
    expect(signIn.status).toBe(200);
    expect((await query(server.url, "auth.me", undefined, { token: user.token })).status).toBe(200);
    const sse = await fetch(`${server.url}/api/trpc/health.live`, { headers: { Accept: "text/event-stream" }, signal: AbortSignal.timeout(3_000) });
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toMatch(/text\/event-stream/);
    await sse.body?.cancel();
    const socket = await RawSocket.open(server.url, { token: user.token });
    const [snapshot] = await socket.take<{ status: string }>("health.live", 1);
    expect(snapshot!.status).toBeTruthy();
    socket.close();

    // Nothing blocks the loop any more: it clears within the calm period (plus a sample or two).
    await eventually(async () => (await query(server.url, "sessions.list", {}, { token: user.token })).status === 200, "shedding clears", CLEAR_MS + 5_000);
    expect((await mutate(server.url, "sessions.create", { kind: "meditation", title: "Now" }, { token: user.token })).status).toBe(200);
  }, 60_000);
});
