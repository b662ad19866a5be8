/**
 * The job queue end to end on a real server and PostgreSQL: retries with back-off until success
 * or a kept reason, cancel (a queued job never runs; a running one is aborted through its
 * signal), retry, progress, and `jobs.*` over HTTP, WebSocket and server-sent events — owners
 * only, resumable without gaps or duplicates. Test job types are defined on the running server's
 * queue, as a feature's service defines its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobView } from "@/shared/jobs";
import { signUp, startTestServer, type TestServer } from "../helpers/server";
import { codeOf, eventually, EventStream, RawSocket, within } from "./support/raw";

let server: TestServer;
let owner: Awaited<ReturnType<typeof signUp>>;
let stranger: Awaited<ReturnType<typeof signUp>>;

/** How many times each test job's handler started, by job id. */
const started = new Map<string, number>();
/** Aborted handlers, by job id, with the abort reason seen. */
const aborted = new Map<string, unknown>();
const release = new Map<string, () => void>();

const JOBS = { concurrency: 2, retryBaseMs: 100, heartbeatMs: 200, staleAfterMs: 2_000, sweepEveryMs: 300, pollIntervalMs: 500 };

beforeAll(async () => {
  server = await startTestServer({ jobs: JOBS });
  owner = await signUp(server, "Owner");
  stranger = await signUp(server, "Stranger");
  const { queue } = server.pulse.app;
  const count = (id: string) => started.set(id, (started.get(id) ?? 0) + 1).get(id)!;
  queue.define<{ failures: number }>("test.flaky", {
    async run({ job, payload, progress }) {
      const attempt = count(job.id);
      progress(50, `attempt ${attempt} half way`);
      if (attempt <= payload.failures) throw new Error(`failure number ${attempt}`);
    },
  });
  // Runs until released or aborted.
  queue.define("test.block", {
    run: ({ job, signal }) =>
      new Promise<void>((resolve, reject) => {
        count(job.id);
        release.set(job.id, resolve);
        signal.addEventListener("abort", () => {
          aborted.set(job.id, signal.reason);
          reject(new DOMException("aborted", "AbortError"));
        });
      }),
  });
});
afterAll(async () => {
  await server?.stop();
});

const enqueue = (type: string, payload: object = {}, extra: { maxAttempts?: number; priority?: "high" | "normal" | "low" } = {}) =>
  server.pulse.app.queue.enqueue({ ownerId: owner.user.id, type, payload, ...extra });

async function settled(jobId: string, status: JobView["status"], timeoutMs = 15_000): Promise<JobView> {
  const client = server.client(owner.token);
  let job: JobView | undefined;
  await eventually(async () => (job = await client.jobs.byId.query({ jobId })).status === status, `job ${jobId} ${status}`, timeoutMs);
  return job!;
}

describe("attempts", () => {
  it("a handler that fails twice then succeeds ends succeeded after 3 attempts, backing off between them", async () => {
    const job = await enqueue("test.flaky", { failures: 2 }, { maxAttempts: 3 });
    expect(job).toMatchObject({ status: "queued", attempts: 0, maxAttempts: 3, progress: 0 });
    const done = await settled(job.id, "succeeded");
    expect(done).toMatchObject({ attempts: 3, progress: 100, lastError: "failure number 2" });
    expect(started.get(job.id)).toBe(3);
    expect(done.finishedAt!.getTime()).toBeGreaterThanOrEqual(done.startedAt!.getTime());
  });

  it("after its last attempt a job fails with its reason kept", async () => {
    const job = await enqueue("test.flaky", { failures: 5 }, { maxAttempts: 2 });
    const failed = await settled(job.id, "failed");
    expect(failed).toMatchObject({ attempts: 2, lastError: "failure number 2", message: "Failed after 2 attempts" });
    expect(started.get(job.id)).toBe(2);
  });

  it("the back-off doubles: 0.1 s after the first failure, 0.2 s after the second", async () => {
    const sse = await EventStream.open(server.url, "jobs.onUpdate", {}, { token: owner.token });
    await eventually(() => sse.events.some((e) => e.event === "connected"), "the subscription");
    const job = await enqueue("test.flaky", { failures: 2 }, { maxAttempts: 3 });
    await settled(job.id, "succeeded");
    await eventually(() => sse.data<JobView>().some((e) => e.id === job.id && e.status === "succeeded"), "the success, streamed");
    const waits = sse
      .data<JobView>()
      .filter((e) => e.id === job.id && e.status === "queued" && e.nextAttemptAt)
      .map((e) => e.message);
    expect(waits).toEqual(["Attempt 1 failed; trying again in 0.1 s", "Attempt 2 failed; trying again in 0.2 s"]);
    sse.close();
  });
});

describe("cancel and retry", () => {
  it("a queued job never runs; a running one is aborted through its signal; both end cancelled", async () => {
    const client = server.client(owner.token);
    const running = [await enqueue("test.block"), await enqueue("test.block")];
    await eventually(() => running.every((job) => started.get(job.id) === 1), "both workers busy");
    const waiting = await enqueue("test.block");

    expect((await client.jobs.cancel.mutate({ jobId: waiting.id })).status).toBe("cancelled");
    expect((await client.jobs.cancel.mutate({ jobId: running[0]!.id })).status).toBe("cancelled");
    await eventually(() => aborted.get(running[0]!.id) === "cancelled", "the running handler aborted");

    release.get(running[1]!.id)!();
    await settled(running[1]!.id, "succeeded");
    // A worker is free: had the cancelled job's dispatch survived, it would start now.
    const next = await enqueue("test.flaky", { failures: 0 });
    await settled(next.id, "succeeded");
    expect(started.get(waiting.id)).toBeUndefined();
    expect((await client.jobs.byId.query({ jobId: running[0]!.id })).status).toBe("cancelled");

    expect(await codeOf(client.jobs.cancel.mutate({ jobId: running[1]!.id }))).toBe("PRECONDITION_FAILED");
  });

  it("a cancelled job can be retried, and runs; a succeeded one cannot", async () => {
    const client = server.client(owner.token);
    const job = await enqueue("test.flaky", { failures: 0 });
    const other = await enqueue("test.block");
    await client.jobs.cancel.mutate({ jobId: other.id });
    await settled(job.id, "succeeded");
    expect(await codeOf(client.jobs.retry.mutate({ jobId: job.id }))).toBe("PRECONDITION_FAILED");

    const before = started.get(other.id) ?? 0;
    const again = await client.jobs.retry.mutate({ jobId: other.id });
    expect(again).toMatchObject({ status: "queued", attempts: 0 });
    await eventually(() => started.get(other.id) === before + 1, "the retried job to start");
    release.get(other.id)!();
    expect(await settled(other.id, "succeeded")).toMatchObject({ attempts: 1 });
  });
});

describe("who sees what", () => {
  it("another user's job is NOT_FOUND for every procedure, and a bad id is BAD_REQUEST", async () => {
    const job = await enqueue("test.flaky", { failures: 0 });
    const client = server.client(stranger.token);
    expect(await codeOf(client.jobs.byId.query({ jobId: job.id }))).toBe("NOT_FOUND");
    expect(await codeOf(client.jobs.cancel.mutate({ jobId: job.id }))).toBe("NOT_FOUND");
    expect(await codeOf(client.jobs.retry.mutate({ jobId: job.id }))).toBe("NOT_FOUND");
    expect((await client.jobs.list.query({})).items).toEqual([]);
    expect(await codeOf(client.jobs.byId.query({ jobId: "../../etc/passwd" }))).toBe("BAD_REQUEST");
    expect(await codeOf(server.client().jobs.list.query({}))).toBe("UNAUTHORIZED");

    const sse = await EventStream.open(server.url, "jobs.onUpdate", { jobId: job.id }, { token: stranger.token });
    await within(sse.ended, "the refused stream to end");
    expect(sse.error()?.data.code).toBe("NOT_FOUND");
  });

  it("lists my jobs newest first with filters and cursor pagination", async () => {
    const mine = await signUp(server, "Lister");
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await server.pulse.app.queue.enqueue({ ownerId: mine.user.id, type: "test.flaky", payload: { failures: 0 } })).id);
    const client = server.client(mine.token);
    const first = await client.jobs.list.query({ limit: 2 });
    const second = await client.jobs.list.query({ limit: 2, cursor: first.nextCursor });
    const third = await client.jobs.list.query({ limit: 2, cursor: second.nextCursor });
    expect([...first.items, ...second.items, ...third.items].map((j) => j.id)).toEqual([...made].reverse());
    expect(third.nextCursor).toBeNull();
    await eventually(async () => (await client.jobs.list.query({ status: "succeeded" })).items.length === 5, "all five succeeded");
    expect((await client.jobs.list.query({ type: "test.block" })).items).toEqual([]);
  });
});

describe("jobs.onUpdate", () => {
  it("streams my jobs' changes over WebSocket and SSE, and resumes after the last id with nothing twice", async () => {
    const socket = await RawSocket.open(server.url, { token: owner.token });
    const ws = socket.subscribe<{ id: string; data: JobView }>("jobs.onUpdate", {});
    await eventually(() => ws.started, "the WebSocket subscription");
    const sse = await EventStream.open(server.url, "jobs.onUpdate", {}, { token: owner.token });
    await eventually(() => sse.events.some((e) => e.event === "connected"), "the SSE subscription");

    const job = await enqueue("test.flaky", { failures: 1 });
    await settled(job.id, "succeeded");
    await eventually(() => ws.data.some((e) => e.data.id === job.id && e.data.status === "succeeded"), "success over WebSocket");
    await eventually(() => sse.data<JobView>().some((e) => e.id === job.id && e.status === "succeeded"), "success over SSE");

    const statuses = ws.data.filter((e) => e.data.id === job.id).map((e) => e.data.status);
    expect(statuses).toContain("running");
    expect(statuses.at(-1)).toBe("succeeded");
    const ids = ws.data.map((e) => BigInt(e.id));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(sse.events.filter((e) => e.event === "message").map((e) => e.id)).toEqual(ws.data.map((e) => e.id));

    // Resume from the middle: each job changed since then once, as it is now (its latest change),
    // in order; nothing from before.
    const middle = ws.data[Math.floor(ws.data.length / 2)]!.id;
    const resumed = await EventStream.open(server.url, "jobs.onUpdate", { lastEventId: middle }, { token: owner.token });
    const latest = new Map<string, string>();
    for (const e of ws.data) if (BigInt(e.id) > BigInt(middle)) latest.set(e.data.id, e.id);
    const expected = [...latest.values()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    await eventually(() => resumed.events.filter((e) => e.event === "message").length >= expected.length, "the replay");
    expect(resumed.events.filter((e) => e.event === "message").map((e) => e.id)).toEqual(expected);
    expect(resumed.data<JobView>().find((e) => e.id === job.id)?.status).toBe("succeeded");
    for (const closeable of [socket, sse, resumed]) closeable.close();
  });

  it("with a job id: that job's current state first, then its changes only", async () => {
    const other = await enqueue("test.flaky", { failures: 0 });
    const job = await enqueue("test.block");
    await eventually(() => started.get(job.id) === 1, "the job to start");
    const sse = await EventStream.open(server.url, "jobs.onUpdate", { jobId: job.id }, { token: owner.token });
    await eventually(() => sse.data<JobView>().some((e) => e.status === "running"), "the current state");
    release.get(job.id)!();
    await eventually(() => sse.data<JobView>().some((e) => e.status === "succeeded"), "the success");
    expect(sse.data<JobView>().every((e) => e.id === job.id)).toBe(true);
    expect(sse.data<JobView>().some((e) => e.id === other.id)).toBe(false);
    sse.close();
  });

  it("reports progress with a message", async () => {
    const job = await enqueue("test.flaky", { failures: 1 }, { maxAttempts: 2 });
    const sse = await EventStream.open(server.url, "jobs.onUpdate", { jobId: job.id }, { token: owner.token });
    await settled(job.id, "succeeded");
    await eventually(() => sse.data<JobView>().some((e) => e.status === "succeeded"), "the success");
    // Progress is throttled: the half-way note may be folded into a later change, but the failed attempt's wait is seen.
    expect(sse.data<JobView>().some((e) => e.status === "queued" && /trying again in 0.1 s/.test(e.message))).toBe(true);
    sse.close();
  });
});
