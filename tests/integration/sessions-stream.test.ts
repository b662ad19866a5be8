/**
 * The resumable stream's hub on its own (a bus and an event source in memory, no server): a room
 * of hundreds gets every event once and in order, even when new events arrive
 * (and people leave) while the previous ones are still on their way; `first` subscribers are
 * served before the rest; subscribers that send events themselves get the same guarantees.
 */
import { setMaxListeners } from "node:events";
import { describe, expect, it } from "vitest";
import type { Bus } from "@/server/bus/bus";
import { createStreams, type EventSource, type StoredEvent } from "@/server/bus/stream";
import { eventually } from "./support/raw";

function memoryBus(): Bus & { announce(channel: string): void } {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  return {
    async publish(channel, payload) {
      for (const handler of handlers.get(channel) ?? []) handler(payload);
    },
    async subscribe(channel, handler) {
      if (!handlers.has(channel)) handlers.set(channel, new Set());
      handlers.get(channel)!.add(handler);
      return () => handlers.get(channel)?.delete(handler);
    },
    onReconnect: () => () => undefined,
    async close() {},
    announce(channel) {
      for (const handler of handlers.get(channel) ?? []) handler("");
    },
  };
}

function memorySource(channel: string) {
  const rows: StoredEvent<number>[] = [];
  const source: EventSource<number> = {
    channel,
    readAfter: async (afterId, limit) => rows.filter((row) => row.id > afterId).slice(0, limit),
    newestId: async () => rows.at(-1)?.id ?? 0n,
  };
  return { source, append: (n: number) => rows.push({ id: BigInt(n), event: n }) };
}

/** Subscribes `count` consumers (from now) that record what they receive, and when (a global sequence). */
function consumers(
  streams: ReturnType<typeof createStreams>,
  source: EventSource<number>,
  count: number,
  options: { first?: boolean; onEvent?: (event: number) => void } = {},
) {
  const controller = new AbortController();
  setMaxListeners(count, controller.signal); // one signal for all of them, on purpose
  const received: number[][] = Array.from({ length: count }, () => []);
  const order: { consumer: number; event: number; seq: number }[] = [];
  const started: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    let ready!: () => void;
    started.push(new Promise((resolve) => (ready = resolve)));
    void (async () => {
      for await (const event of streams(source, undefined, { signal: controller.signal, first: options.first, onStart: ready, map: (s) => s.event })) {
        received[i]!.push(event);
        order.push({ consumer: i, event, seq: sequence++ });
        options.onEvent?.(event);
      }
    })();
  }
  return { received, order, started: Promise.all(started), stop: () => controller.abort() };
}

let sequence = 0;

describe("a stream hub with hundreds of subscribers", () => {
  it("delivers every event once and in order, also those that arrive while the previous ones are on their way", async () => {
    const bus = memoryBus();
    const streams = createStreams(bus);
    const { source, append } = memorySource("room");
    // 100 who leave while event 1 is on its way, 600 who stay.
    const leaving = consumers(streams, source, 100);
    const room = consumers(streams, source, 600);
    // Event 1; events 2–10 the moment the host has 1 — while the room is still being served.
    let roomHadAll: boolean | undefined;
    const host = consumers(streams, source, 1, {
      first: true,
      onEvent: (event) => {
        if (event !== 1) return;
        roomHadAll = room.received.every((r) => r.length === 1);
        leaving.stop();
        for (let n = 2; n <= 10; n++) {
          append(n);
          bus.announce("room");
        }
      },
    });
    await Promise.all([leaving.started, room.started, host.started]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // every subscriber past its (empty) backlog
    append(1);
    bus.announce("room");
    await eventually(() => room.received.every((r) => r.length === 10) && host.received[0]!.length === 10, "every event everywhere", 5_000);
    const expected = Array.from({ length: 10 }, (_, i) => i + 1);
    for (const r of [...room.received, ...host.received]) expect(r).toEqual(expected);
    // The host was served before the last of the room had event 1.
    expect(roomHadAll).toBe(false);
    const hostGot1 = host.order.find((o) => o.event === 1)!.seq;
    expect(Math.max(...room.order.filter((o) => o.event === 1).map((o) => o.seq))).toBeGreaterThan(hostGot1);
    room.stop();
    host.stop();
  });
});

/** A sink in memory: `send` decides; `behind` plays a socket holding too much, `drain` lets it go. */
function memorySink(send: (value: number) => boolean) {
  let drained: (() => void) | undefined;
  const sink = {
    behind: false,
    corked: 0,
    send,
    congested: () => sink.behind,
    drained: () => new Promise<void>((resolve) => (drained = resolve)),
    cork: () => void sink.corked++,
    uncork: () => undefined,
    drain() {
      sink.behind = false;
      drained?.();
    },
  };
  return sink;
}

describe("a stream whose subscribers send events themselves (as WebSocket subscriptions do)", () => {
  it("sends live events in order and once; a declined send is yielded instead; an end or an error stops only that subscriber", async () => {
    const bus = memoryBus();
    const streams = createStreams(bus);
    const { source, append } = memorySource("sending");
    const controller = new AbortController();
    setMaxListeners(10, controller.signal);
    const signal = controller.signal;
    const sent = { plain: [] as number[], declinesFirst: [] as number[], endsAt3: [] as number[], failsAt2: [] as number[] };
    const yielded = { plain: [] as number[], declinesFirst: [] as number[], endsAt3: [] as number[], failsAt2: [] as number[] };
    const outcome: Record<string, string> = {};
    const run = async (name: keyof typeof sent, options: { declineFirst?: boolean; endAt?: number; failAt?: number }) => {
      let declined = false;
      const stream = streams<number, number>(source, undefined, {
        signal,
        map: (stored) => {
          if (stored.event === options.failAt) throw new Error(`cannot map ${stored.event}`);
          return stored.event;
        },
        sink: memorySink((value) => {
          if (options.declineFirst && !declined) return !(declined = true);
          sent[name].push(value);
          return true;
        }),
        // Asynchronously, like a database lookup.
        endsAfter: (stored) => (stored.event === options.endAt ? Promise.resolve(true) : false),
      });
      try {
        for await (const value of stream) yielded[name].push(value);
        outcome[name] = "ended";
      } catch (error) {
        outcome[name] = (error as Error).message;
      }
    };
    const running = [
      run("plain", {}),
      run("declinesFirst", { declineFirst: true }),
      run("endsAt3", { endAt: 3 }),
      run("failsAt2", { failAt: 2 }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 50)); // every subscriber past its (empty) backlog
    for (let n = 1; n <= 5; n++) {
      append(n);
      bus.announce("sending");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await eventually(() => sent.plain.length === 5 && sent.declinesFirst.length === 4, "every event sent", 5_000);
    await eventually(() => outcome.endsAt3 !== undefined && outcome.failsAt2 !== undefined, "two streams over", 5_000);
    expect(sent.plain).toEqual([1, 2, 3, 4, 5]);
    expect(yielded.plain).toEqual([]);
    expect(yielded.declinesFirst).toEqual([1]);
    expect(sent.declinesFirst).toEqual([2, 3, 4, 5]);
    expect(sent.endsAt3).toEqual([1, 2, 3]);
    expect(outcome.endsAt3).toBe("ended");
    expect(sent.failsAt2).toEqual([1]);
    expect(outcome.failsAt2).toBe("cannot map 2");
    controller.abort();
    await Promise.all(running);
    expect(outcome.plain).toBe("ended");
  });
});

describe("a sending subscriber whose receiver falls behind", () => {
  it("is not written to while behind, and once drained gets what it skipped from the log: in order, once, without holding it meanwhile", async () => {
    const bus = memoryBus();
    const streams = createStreams(bus);
    const { source, append } = memorySource("behind");
    const controller = new AbortController();
    const got = { slow: [] as number[], other: [] as number[] };
    const slow = memorySink((value) => got.slow.push(value) > 0);
    const other = memorySink((value) => got.other.push(value) > 0);
    const consume = async (sink: ReturnType<typeof memorySink>) => {
      for await (const _ of streams<number, number>(source, 0n, { signal: controller.signal, map: (stored) => stored.event, sink })) {
        throw new Error("a sink that takes every value yields nothing");
      }
    };
    const running = [consume(slow), consume(other)];
    const publish = async (from: number, to: number) => {
      for (let n = from; n <= to; n++) append(n);
      bus.announce("behind");
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await publish(1, 3);
    await eventually(() => got.slow.length === 3 && got.other.length === 3, "the first three everywhere", 5_000);
    slow.behind = true;
    await publish(4, 6);
    await publish(7, 9);
    await eventually(() => got.other.length === 9, "the other subscriber to go on", 5_000);
    expect(got.slow).toEqual([1, 2, 3]);
    slow.drain();
    await eventually(() => got.slow.length === 9, "the slow one to catch up from the log", 5_000);
    await publish(10, 12);
    await eventually(() => got.slow.length === 12 && got.other.length === 12, "live again", 5_000);
    const all = Array.from({ length: 12 }, (_, i) => i + 1);
    expect(got.slow).toEqual(all);
    expect(got.other).toEqual(all);
    // Several events in one delivery reach a sink corked, as one write.
    expect(other.corked).toBeGreaterThan(0);
    controller.abort();
    await Promise.all(running);
  });
});
