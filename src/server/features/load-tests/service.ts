/**
 * Load tests: start one (one at a time across every instance), follow it, stop it, keep and
 * compare its results, export them. The load itself comes from a child process (runner/); this is
 * who may start what, the bounds, and the run's record in PostgreSQL.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { App } from "@/server/app";
import { eventStream, type EventStream } from "@/server/bus/live";
import { AppError, notFound } from "@/server/errors";
import type { AuthService, Caller, RequestMeta } from "@/server/features/auth/service";
import type { FilesService } from "@/server/features/files/service";
import { STAND_IN_HEADER } from "@/shared/chat";
import { GRADE_THRESHOLDS, LOAD_TEST_LIMITS, LOAD_TEST_SCENARIOS, type LoadTestOptions, type LoadTestProgressEvent, type LoadTestRunView, type LoadTestScenario } from "@/shared/load-tests";
import { ActiveRun, type Ending } from "./active-run.js";
import { csvRows, pdfDocument } from "./report.js";
import type { ExportInput, ListInput, ProgressInput, StartInput } from "./schemas.js";
import { CHANGED_CHANNEL, endRun, listRuns, progressSource, runById, runningRun, STOP_CHANNEL } from "./runs.js";

/** The account whose API token the generator uses: its own, so load never touches a person's data. */
export const LOAD_TEST_ACCOUNT = { email: "load-test@pulse.invalid", name: "Load test (service account)" };
/** Starts are serialised across instances by this transaction-level advisory lock. */
const START_LOCK = 0x70756c73_6c6f6164n;
/** How long the live secret is trusted before it is read again (a run's end also clears it at once). */
const SECRET_TTL_MS = 2_000;
/** A stop asked of another instance: how long to wait for it to end the run. */
const REMOTE_STOP_WAIT_MS = 5_000;
const STAND_IN_TTL_MS = 30_000;

const sha256 = (text: string) => createHash("sha256").update(text).digest();

export function createLoadTestService(app: App, deps: { auth: AuthService; files: FilesService }) {
  const { pool, db, bus, config, log } = app;
  const active = new Map<string, ActiveRun>();
  const unsubscribes: (() => void)[] = [];

  /** Pulse's own address: where every scenario sends its load (never an address from the request). */
  const target = () => config.publicUrl ?? app.selfUrl ?? `http://127.0.0.1:${config.port}`;

  // ── The run secret: traffic that carries it passes the rate limits ──────────────────────
  let liveSecret: { hash: Buffer | null; readAt: number } | undefined;
  async function isRunSecret(secret: string): Promise<boolean> {
    if (secret.length < 40 || secret.length > 100) return false;
    if (!liveSecret || Date.now() - liveSecret.readAt > SECRET_TTL_MS) {
      // One read per interval whatever the headers say: a flood of forged secrets costs no queries.
      const { rows } = await pool.query<{ secretHash: string | null }>(`SELECT "secretHash" FROM "LoadTestRun" WHERE status = 'running' AND "secretHash" IS NOT NULL LIMIT 1`);
      liveSecret = { hash: rows[0]?.secretHash ? Buffer.from(rows[0].secretHash, "hex") : null, readAt: Date.now() };
    }
    return liveSecret.hash !== null && timingSafeEqual(liveSecret.hash, sha256(secret));
  }

  // ── Scenario availability: chat only ever against the local stand-in ────────────────────
  let standIn: { ok: boolean; at: number } | undefined;
  async function chatAvailability(): Promise<string | null> {
    const { baseUrl, apiKey } = config.chat;
    if (!baseUrl || !apiKey) return "Claude is not configured with the local stand-in (ANTHROPIC_BASE_URL), and load is never sent to the real API.";
    if (!standIn || Date.now() - standIn.at > STAND_IN_TTL_MS) {
      const ok = await fetch(`${baseUrl}/v1/models`, { headers: { "x-api-key": apiKey, "anthropic-version": "2023-06-01" }, signal: AbortSignal.timeout(3_000) })
        .then((response) => response.headers.get(STAND_IN_HEADER) === "1")
        .catch(() => false);
      standIn = { ok, at: Date.now() };
    }
    return standIn.ok ? null : "The configured Claude upstream is not Pulse's local stand-in: chat load is never sent to the real API.";
  }

  async function audit(actorId: string | null, action: string, runId: string, meta: RequestMeta | null, detail: object = {}) {
    await db.auditLog.create({ data: { actorId, action, target: runId, ip: meta?.ip, detail: detail as never } });
  }

  async function loadTestCaller(): Promise<Caller> {
    return { user: await deps.auth.serviceAccount(LOAD_TEST_ACCOUNT.email, LOAD_TEST_ACCOUNT.name) };
  }

  /** Ends a run whose instance stopped beating its heart (it died): failed, so another can start. */
  async function failStale(runId: string): Promise<void> {
    if (await endRun(pool, runId, "failed", null, "The server running this load test stopped answering.")) {
      await bus.publish(CHANGED_CHANNEL, runId).catch(() => undefined);
      await audit(null, "loadTest.failed", runId, null, { reason: "stale" });
    }
  }

  async function view(runId: string): Promise<LoadTestRunView> {
    const run = await runById(pool, runId);
    if (!run) throw notFound("That load test");
    const { instanceId: _instance, stale: _stale, ...shown } = run;
    return shown;
  }

  return {
    isRunSecret,

    async options(): Promise<LoadTestOptions> {
      const chat = await chatAvailability();
      const running = await runningRun(pool);
      return {
        limits: LOAD_TEST_LIMITS,
        scenarios: LOAD_TEST_SCENARIOS.map((scenario) => ({ scenario, available: scenario !== "chat" || chat === null, reason: scenario === "chat" ? chat : null })),
        target: target(),
        running: running && !running.stale ? running : null,
        thresholds: GRADE_THRESHOLDS,
      };
    },

    async start(caller: Caller, input: StartInput, meta: RequestMeta): Promise<{ runId: string }> {
      const scenario: LoadTestScenario = input.scenario;
      if (scenario === "chat") {
        const why = await chatAvailability();
        if (why) throw new AppError("PRECONDITION_FAILED", why);
        if (input.connections > LOAD_TEST_LIMITS.chatConnections.max) throw new AppError("BAD_REQUEST", `A chat load test has at most ${LOAD_TEST_LIMITS.chatConnections.max} connections (each is a streaming answer).`);
      }
      if (scenario === "websocket" && input.ratePerS !== undefined && input.ratePerS > LOAD_TEST_LIMITS.websocketRate.max) {
        throw new AppError("BAD_REQUEST", `A websocket load test publishes at most ${LOAD_TEST_LIMITS.websocketRate.max} messages per second.`);
      }
      const secret = `plt_${randomBytes(32).toString("base64url")}`;
      const runConfig = { scenario, connections: input.connections, durationS: input.durationS, ratePerS: input.ratePerS ?? null, maxRequests: LOAD_TEST_LIMITS.maxRequests, target: target() };

      const client = await pool.connect();
      let runId: string;
      try {
        await client.query("BEGIN");
        await client.query(`SELECT pg_advisory_xact_lock($1)`, [START_LOCK.toString()]);
        const running = await runningRun(client);
        if (running && !running.stale) {
          await client.query("ROLLBACK");
          throw new AppError("CONFLICT", `A load test is already running (${running.scenario}, started by ${running.startedBy?.name ?? "someone"}). Wait for it to end or stop it first.`);
        }
        if (running) await endRun(client, running.id, "failed", null, "The server running this load test stopped answering.");
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO "LoadTestRun" (id, scenario, config, "startedById", "instanceId", "secretHash") VALUES (gen_random_uuid(), $1, $2, $3, $4, $5) RETURNING id::text AS id`,
          [scenario, JSON.stringify(runConfig), caller.user.id, app.instanceId, sha256(secret).toString("hex")],
        );
        runId = rows[0]!.id;
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      await audit(caller.user.id, "loadTest.start", runId, meta, runConfig);
      await bus.publish(CHANGED_CHANNEL, runId).catch(() => undefined);

      const account = await loadTestCaller();
      const token = await deps.auth.createApiToken(account, `Load test ${runId}`);
      const onEnded = async (ending: Ending) => {
        active.delete(runId);
        liveSecret = undefined;
        await deps.auth.revokeApiToken(account, token.id);
        await audit(null, `loadTest.${ending.status}`, runId, null, ending.message ? { message: ending.message } : {});
      };
      active.set(runId, new ActiveRun(app, { id: runId, scenario }, { ...runConfig, token: token.token, secret }, onEnded));
      log.info({ runId, ...runConfig }, "load test started");
      return { runId };
    },

    async stop(caller: Caller, runId: string, meta: RequestMeta): Promise<LoadTestRunView> {
      const run = await runById(pool, runId);
      if (!run) throw notFound("That load test");
      if (run.status !== "running") throw new AppError("PRECONDITION_FAILED", `This load test has already ${run.status === "failed" ? "failed" : run.status === "stopped" ? "been stopped" : "completed"}.`);
      await audit(caller.user.id, "loadTest.stop", runId, meta);
      const here = active.get(runId);
      if (here) await here.stop();
      else if (run.stale) await failStale(runId);
      else {
        await bus.publish(STOP_CHANNEL, runId);
        for (const until = Date.now() + REMOTE_STOP_WAIT_MS; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
          if ((await runById(pool, runId))?.status !== "running") break;
        }
      }
      return view(runId);
    },

    byId: view,

    list: (input: ListInput) => listRuns(pool, input),

    /** Without `lastEventId`, the whole run so far (the page draws its charts from the start), then live; ends after its end. */
    async progress(input: ProgressInput): Promise<EventStream<LoadTestProgressEvent>> {
      const run = await runById(pool, input.runId);
      if (!run) throw notFound("That load test");
      const after = input.lastEventId ? BigInt(input.lastEventId) : 0n;
      return eventStream({ source: progressSource(pool, input.runId), after, endsAfter: ({ event }) => event.type === "end", replayOnly: run.status !== "running" });
    },

    async export(caller: Caller, input: ExportInput) {
      const run = await view(input.runId);
      if (!run.result) throw new AppError("PRECONDITION_FAILED", run.status === "running" ? "This load test is still running: export it when it has ended." : "This load test has no result to export.");
      if (input.format === "csv") return deps.files.create(caller, { kind: "csv", rows: csvRows(run) });
      return deps.files.create(caller, { kind: "pdf", document: pdfDocument(run) });
    },

    /** Which process is generating a run's load (tests check that a stop ends it). */
    generatorPid: (runId: string) => active.get(runId)?.pid,

    async listen(): Promise<void> {
      unsubscribes.push(await bus.subscribe(STOP_CHANNEL, (runId) => void active.get(runId)?.stop()));
      unsubscribes.push(await bus.subscribe(CHANGED_CHANNEL, () => (liveSecret = undefined)));
    },

    /** Shutdown: this instance's runs end as stopped, their generators killed. */
    async shutdown(): Promise<void> {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
      await Promise.all([...active.values()].map((run) => run.abandon()));
    },
  };
}

export type LoadTestService = ReturnType<typeof createLoadTestService>;
