/**
 * A client process of the fan-out benchmark: holds a share of the N subscribers so that the
 * subscribers' side can use more than one process (`--client-procs`). Started by
 * bench/fanout/client-pool.ts through bench/lib/processes.ts `startServer` (pinned like the load
 * generator); talks to the parent over IPC, one question at a time:
 *   parent → child { type: "open", mode: "pulse", url, tokens, sessionId, messages, concurrency }
 *                  { type: "open", mode: "plain", url, count, messages, concurrency }
 *                  → { type: "open", ok, failures }
 *   parent → child { type: "stats", settleId? } → { type: "stats", ...WorkerStats }
 *   parent → child { type: "histograms" } → { type: "histograms", fanout, connect } (hdr-histogram
 *                  compressed base64, microseconds: the parent merges them)
 *   parent → child { type: "close" } → closes every socket, replies { type: "close" }
 * Latency is measured here against this process's `performance.timeOrigin + performance.now()`,
 * comparable with the publisher's (see bench/fanout/stats.ts `clock`).
 */
import { encodeIntoCompressedBase64 } from "hdr-histogram-js";
import type WebSocket from "ws";
import { openAll, openPlain, Recorder, type Subscriber } from "./subscriber.js";

export interface WorkerStats {
  delivered: number;
  duplicates: number;
  orderViolations: number;
  presenceDeliveries: number;
  open: number;
  closed: number;
  errors: string[];
  /** This process's CPU time so far (user + system), µs. */
  cpuUs: number;
  /** With a settle id (the presence event that completed everyone's "online"): */
  settle?: {
    /** Subscribers that received it (their stream began at or before it). */
    received: number;
    /** When the last of those received it (epoch ms). */
    lastAt: number | null;
    /** Streams that began after it. */
    subscribedAfter: number;
    /** Streams that began at or before it and have not received it (yet). */
    missed: number;
    /** Open subscribers that have not received it, whichever their start: still waited for. */
    waiting: number;
  };
}

interface OpenMessage {
  type: "open";
  mode: "pulse" | "plain";
  url: string;
  tokens?: string[];
  sessionId?: string;
  count?: number;
  messages: number;
  concurrency: number;
}

let recorder = new Recorder(0);
let subscribers: Subscriber[] = [];
let plain: WebSocket[] = [];

async function open(message: OpenMessage): Promise<{ ok: number; failures: string[] }> {
  recorder = new Recorder(message.messages);
  if (message.mode === "plain") {
    const opened = await openPlain(message.url, message.count ?? 0, message.concurrency, recorder);
    plain = opened.sockets;
    return { ok: plain.length, failures: [...new Set(opened.failures)].slice(0, 5) };
  }
  const sessionId = message.sessionId!;
  const opened = await openAll(message.url, message.tokens ?? [], () => ({ sessionId }), recorder, {
    concurrency: message.concurrency,
    firstIsObserver: false,
  });
  subscribers = opened.subscribers;
  return { ok: subscribers.length, failures: opened.failures };
}

function stats(settleId: number | undefined): WorkerStats {
  const cpu = process.cpuUsage();
  const result: WorkerStats = {
    delivered: recorder.delivered,
    duplicates: recorder.duplicates,
    orderViolations: recorder.orderViolations,
    presenceDeliveries: recorder.presenceDeliveries,
    open: subscribers.length + plain.length,
    closed: subscribers.filter((s) => s.closed).length,
    errors: [...new Set(recorder.errors)].slice(0, 10),
    cpuUs: cpu.user + cpu.system,
  };
  if (settleId !== undefined) {
    recorder.settleId = settleId;
    let received = 0;
    let lastAt: number | null = null;
    let subscribedAfter = 0;
    let missed = 0;
    let waiting = 0;
    for (const s of subscribers) {
      const at = s.settledAt;
      if (at === undefined && !s.closed) waiting++;
      if (s.firstId > settleId) subscribedAfter++;
      else if (at === undefined) missed++;
      else {
        received++;
        lastAt = Math.max(lastAt ?? at, at);
      }
    }
    result.settle = { received, lastAt, subscribedAfter, missed, waiting };
  }
  return result;
}

process.on("message", (message: { type?: string; settleId?: number }) => {
  const reply = (body: Record<string, unknown>) => process.send?.({ ...body, type: message.type });
  switch (message.type) {
    case "open":
      void open(message as OpenMessage).then(reply, (error: unknown) => reply({ ok: 0, failures: [(error as Error).message] }));
      return;
    case "stats":
      reply({ ...stats(message.settleId) });
      return;
    case "histograms":
      reply({ fanout: encodeIntoCompressedBase64(recorder.fanout), connect: encodeIntoCompressedBase64(recorder.connect) });
      return;
    case "close":
      for (const s of subscribers) s.close();
      for (const ws of plain) ws.terminate();
      subscribers = [];
      plain = [];
      reply({});
      return;
  }
});
const stop = () => {
  for (const s of subscribers) s.close();
  for (const ws of plain) ws.terminate();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("disconnect", stop);
process.send?.({ type: "ready", url: "ipc:", pid: process.pid });
