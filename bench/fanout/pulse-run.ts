/**
 * One measurement of Pulse: a fresh server process (bench/lib/pulse-server.ts), one session, N
 * subscribers connecting at once (held by the client processes), presence settling, MESSAGES chat
 * lines at the step's rate, then `requestHelp` to the host and an admin's inbox, then memory.
 * The observer (following from before anyone connected, so it sees every presence event), the
 * host and the admin's inbox are sockets in this process, beside the publisher.
 */
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { BenchDatabase } from "../lib/database.js";
import { benchDir, startServer } from "../lib/processes.js";
import { call, createAccounts, setupCall, type Account } from "./accounts.js";
import { ClientPool, defaultClientProcs } from "./client-pool.js";
import { cpuWindow, memoryFigures, sampleMemory } from "./measure.js";
import { clock, histogram, log, paced, percentiles, round, thousands, waitFor, waitWhileProgressing } from "./stats.js";
import { Recorder, Subscriber } from "./subscriber.js";
import type { FanoutSettings, PlanStep, RunResult } from "./types.js";

export async function pulseRun(step: PlanStep, database: BenchDatabase, settings: FanoutSettings, admin: { account?: Account }): Promise<Omit<RunResult, "bareWs" | "prebuilt" | "cpuRatioToPrebuilt">> {
  const { n, ratePerS } = step;
  const tag = `N = ${thousands(n)} @ ${ratePerS}/s, Pulse`;
  const profileDir = path.join(benchDir, "results", "profiles");
  if (settings.profile) fs.mkdirSync(profileDir, { recursive: true });
  const before = new Set(settings.profile ? fs.readdirSync(profileDir) : []);
  const server = await startServer("lib/pulse-server.ts", {
    env: { NODE_ENV: "production", BENCH_DATABASE_URL: database.url },
    cpu: settings.serverCpu,
    nodeArgs: ["--expose-gc", ...settings.serverArgs, ...(settings.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
    // As `npm start` runs it: compiled, under plain node (tsx's loader adds memory and names every closure).
    bundled: true,
  });
  const pool = await ClientPool.start(settings.clientProcs ?? defaultClientProcs(n, ratePerS), settings.generatorCpu);
  log(`${tag}: server ${server.url} (pid ${server.pid}${settings.serverCpu === undefined ? "" : `, CPU ${settings.serverCpu}`}), ${pool.size} client processes`);
  // This process's sockets (observer, host, admin); the N - 1 others are in the client processes.
  const recorder = new Recorder(settings.messages);
  const local: Subscriber[] = [];
  try {
    // The first account of the database is its admin: sign it up once, on the first run.
    admin.account ??= (await createAccounts(database.url, ["Bench Admin"], { role: "ADMIN" }))[0]!;
    const [host, publisher] = (await createAccounts(database.url, ["Bench Host", "Bench Publisher"])) as [Account, Account];
    const session = await setupCall<{ id: string }>(server.url, "sessions.create", { kind: "breathing", title: `Fan-out ${n}`, capacity: 10_000 }, host.token);
    await setupCall(server.url, "sessions.join", { sessionId: session.id }, publisher.token);
    log(`${tag}: seating ${thousands(n)} subscribers (users, API tokens, seats) in the database`);
    const accounts = await createAccounts(
      database.url,
      Array.from({ length: n }, (_, i) => `Subscriber ${i + 1}`),
      { sessionId: session.id },
    );
    const everyone = new Set(accounts.map((a) => a.userId));
    const { lastEventId } = await setupCall<{ lastEventId: string }>(server.url, "sessions.byId", { sessionId: session.id }, host.token, "GET");

    await sleep(2_000);
    const memoryBefore = await sampleMemory(server);

    // Connect: everyone at once (CONCURRENCY sockets in flight over all processes), like a room filling up.
    log(`${tag}: connecting ${thousands(n)} subscribers, ${settings.concurrency} at a time`);
    const connectStart = clock();
    const observer = await Subscriber.open(server.url, accounts[0]!.token, { sessionId: session.id, lastEventId }, "observer", recorder, everyone);
    local.push(observer);
    const opened = await pool.openPulse(server.url, accounts.slice(1).map((a) => a.token), session.id, settings.messages, settings.concurrency);
    const subscribed = opened.ok + 1;
    const connectWallS = round((clock() - connectStart) / 1000, 2);
    log(`${tag}: ${thousands(subscribed)} subscribed in ${connectWallS} s (${opened.failures.length} failed); waiting for presence to settle`);
    // Settled: the observer knows everyone is online, and every other subscriber has received that
    // presence event. The subscribers follow from "now" (no lastEventId), and the last ones' own
    // presence may be written before their stream's starting point: those never receive it (a real
    // client has it from byId) — so wait until no more arrive for a while, and sort them out by the
    // first event they receive (during the fan-out below).
    const known = await waitFor(() => recorder.settleId !== undefined, settings.settleMs, 50);
    if (known) {
      let waiting = -1;
      let quietSince = performance.now();
      while (performance.now() - quietSince < 3_000) {
        const now = (await pool.stats(recorder.settleId)).settle!.waiting;
        if (now === 0) break;
        if (now !== waiting) [waiting, quietSince] = [now, performance.now()];
        await sleep(100);
      }
    }
    const settle = known ? (await pool.stats(recorder.settleId)).settle! : undefined;
    const observerAt = observer.settledAt;
    const lastSettled = Math.max(settle?.lastAt ?? -Infinity, observerAt ?? -Infinity);
    const presence: RunResult["presence"] = {
      allOnlineKnown: known,
      settleWrittenS: recorder.settleObservedAt ? round((recorder.settleObservedAt - connectStart) / 1000, 2) : null,
      settleDeliveredS: Number.isFinite(lastSettled) ? round((lastSettled - connectStart) / 1000, 2) : null,
      receivedSettleEvent: (settle?.received ?? 0) + (observerAt === undefined ? 0 : 1),
      subscribedAfterSettleEvent: 0, // counted after the fan-out, when every stream has received something
      missedSettleEvent: 0,
      events: recorder.presenceEvents,
      entries: recorder.presenceEntries,
      deliveries: 0,
    };
    log(
      `${tag}: ${known ? "everyone online" : "NOT everyone online"} after ${presence.settleWrittenS} s (observer), ` +
        `delivered to the ${thousands(presence.receivedSettleEvent)} subscribed by then after ${presence.settleDeliveredS} s (${presence.events} presence events)`,
    );

    // The host and the admin's help inbox connect last (the server serves a session's host first all the same).
    const hostSub = await Subscriber.open(server.url, host.token, { sessionId: session.id }, "host", recorder);
    const adminSub = await Subscriber.open(server.url, admin.account.token, {}, "admin", recorder);
    local.push(hostSub, adminSub);
    await sleep(1_500);

    // Fan-out: MESSAGES chat lines at the step's rate.
    log(`${tag}: publishing ${settings.messages} messages at ${ratePerS}/s`);
    const fanStart = performance.now();
    const cpu = await cpuWindow(server, pool);
    const sends = await paced(settings.messages, ratePerS, async (seq) => {
      await call(server.url, "sessions.sendMessage", { sessionId: session.id, text: `m ${seq} ${clock().toFixed(3)}` }, publisher.token);
    });
    // A message the server refused (an error answer) was not written: nobody is owed it.
    const expected = subscribed * sends.ok;
    await waitWhileProgressing((delivered) => delivered >= expected, async () => (await pool.stats()).delivered + recorder.delivered, settings.drainMs, 100);
    const stats = await pool.stats(recorder.settleId);
    const delivered = stats.delivered + recorder.delivered;
    const cpuFigures = await cpu.end(delivered + hostSub.messages);
    const latency = histogram();
    latency.add(recorder.fanout);
    await pool.mergeHistograms(latency, recorder.connect);
    const fanout: RunResult["fanout"] = {
      messages: settings.messages,
      messagesAccepted: sends.ok,
      ratePerS,
      expected,
      delivered,
      deliveredPct: round((100 * delivered) / Math.max(1, expected), 3),
      duplicates: stats.duplicates + recorder.duplicates,
      orderViolations: stats.orderViolations + recorder.orderViolations,
      latencyMs: percentiles(latency),
      sendMessageRoundTripMs: sends.roundTrip,
      sendFailures: sends.failures,
      wallS: round((performance.now() - fanStart) / 1000, 2),
      ...cpuFigures,
    };
    latency.destroy();
    const l = fanout.latencyMs;
    log(
      `${tag}: delivered ${thousands(delivered)}/${thousands(expected)} (${fanout.deliveredPct} %), ` +
        `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms; sendMessage round trip p50 ${sends.roundTrip.p50} ms, ` +
        `p99 ${sends.roundTrip.p99} ms; server CPU ${fanout.serverCpuPct} % (${fanout.serverCpuMicrosecondsPerDelivery} µs per delivery) ` +
        `+ ${fanout.serverWaitPct} % waiting for a CPU; load generator ${fanout.generatorCpuPct} % + ${fanout.generatorWaitPct} % waiting (${pool.size} client processes); saturated: ${fanout.saturated}`,
    );
    if (settle && stats.settle) {
      presence.subscribedAfterSettleEvent = stats.settle.subscribedAfter + (observer.firstId > recorder.settleId! ? 1 : 0);
      presence.missedSettleEvent = stats.settle.missed + (observer.firstId <= recorder.settleId! && observerAt === undefined ? 1 : 0);
    }
    presence.deliveries = stats.presenceDeliveries + recorder.presenceDeliveries;

    // Help requests: from a participant, to the host (in the session's stream) and the admins' inbox.
    log(`${tag}: ${settings.help} help requests at ${settings.helpRate}/s`);
    const helpBefore = recorder.helpDeliveries;
    const helpSends = await paced(settings.help, settings.helpRate, async (seq) => {
      await call(server.url, "sessions.requestHelp", { sessionId: session.id, note: `help ${seq} ${clock().toFixed(3)}` }, publisher.token);
    });
    await waitWhileProgressing(() => hostSub.help >= settings.help && adminSub.help >= settings.help, () => recorder.helpDeliveries, settings.drainMs);
    const help: RunResult["help"] = {
      requests: settings.help,
      ratePerS: settings.helpRate,
      host: {
        received: hostSub.help,
        latencyMs: percentiles(recorder.helpHost),
        position: `connected last of ${thousands(subscribed + 1)} subscribers of the session (the server serves a session's host first)`,
      },
      adminInbox: { received: adminSub.help, latencyMs: percentiles(recorder.helpAdmin) },
      requestHelpRoundTripMs: helpSends.roundTrip,
      // In this process: the observer's and the host's (the client processes' are not counted).
      deliveriesInSession: recorder.helpDeliveries - helpBefore - adminSub.help,
      failures: helpSends.failures,
    };
    log(`${tag}: help to the host p50 ${help.host.latencyMs.p50} ms, p99 ${help.host.latencyMs.p99} ms (${help.host.received}/${settings.help}); admin inbox p99 ${help.adminInbox.latencyMs.p99} ms`);

    // Memory once the timed phases are over: the forced full collections it takes would otherwise
    // cost the first second of the fan-out (measured: the first 35 messages 100-290 ms late).
    const memoryAfter = await sampleMemory(server);
    return {
      ...step,
      connect: { wallS: connectWallS, failed: opened.failures.length, failures: [...new Set(opened.failures)].slice(0, 5), subscribeMs: percentiles(recorder.connect) },
      presence,
      fanout,
      help,
      memory: memoryFigures(memoryBefore, memoryAfter, subscribed),
      errors: [...new Set([...recorder.errors, ...stats.errors])].slice(0, 10),
    };
  } finally {
    for (const s of local) s.close();
    await pool.stop();
    await server.stop();
    for (const h of [recorder.fanout, recorder.helpHost, recorder.helpAdmin, recorder.connect]) h.destroy();
    if (settings.profile) {
      for (const file of fs.readdirSync(profileDir).filter((f) => !before.has(f))) {
        const target = path.join(profileDir, `sessions-fanout-${n}-${ratePerS}-${step.run}-${file}`);
        fs.renameSync(path.join(profileDir, file), target);
        log(`${tag}: server CPU profile ${path.relative(process.cwd(), target)}`);
      }
    }
  }
}
