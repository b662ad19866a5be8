/**
 * A subscriber of `sessions.events` as a bare `ws` socket speaking tRPC's WebSocket protocol
 * (as `createWSClient` does: `?connectionParams=1`, a `connectionParams` message with the token, a
 * `subscription` request), and what the subscribers of one process record. Used in the load
 * generator itself (the observer, the host, the admin's help inbox) and in each client process
 * (bench/fanout/client-worker.ts: the N subscribers).
 */
import superjson from "superjson";
import WebSocket from "ws";
import { applyPresence, type PresenceBatch } from "@/server/features/sessions/presence";
import { wsUrl } from "../lib/ws.js";
import { clock, histogram, recordMs } from "./stats.js";

const CONNECT_TIMEOUT_MS = 60_000;

/** What the subscribers of one run record, shared (one histogram for all deliveries). */
export class Recorder {
  readonly fanout = histogram();
  readonly helpHost = histogram();
  readonly helpAdmin = histogram();
  readonly connect = histogram();
  delivered = 0;
  duplicates = 0;
  /** An event id not above the previous one on the same stream. */
  orderViolations = 0;
  presenceEvents = 0;
  presenceEntries = 0;
  presenceDeliveries = 0;
  helpDeliveries = 0;
  errors: string[] = [];
  /** Set by the observer: the presence event after which every subscriber is known online. */
  settleId: number | undefined;
  settleObservedAt: number | undefined;

  constructor(readonly messages: number) {}
}

export type Role = "subscriber" | "observer" | "host" | "admin";

interface StreamMessage {
  id?: number;
  result?: { type: string; data?: { json: { id: string; data: { type: string; text?: string; note?: string } & Partial<PresenceBatch> } } };
  error?: { json?: { message?: string } };
}

/** In a data frame: the tracked event's id (`{"json":{"id":"123",...`), and a publisher's chat line's text. */
const TRACKED_ID = '"json":{"id":"';
const MESSAGE_TEXT = '"text":"m ';

export class Subscriber {
  started = false;
  closed = false;
  lastId = 0;
  messages = 0;
  help = 0;
  /** When each presence event arrived (by id). */
  private readonly presenceAt = new Map<number, number>();
  /** The first event id this stream delivered (where it began). */
  firstId = Infinity;
  private readonly seen: Uint8Array;
  /** The observer's view of who is online (user id → instances). */
  private readonly online = new Map<string, Set<string>>();

  private constructor(
    readonly ws: WebSocket,
    readonly role: Role,
    private readonly recorder: Recorder,
    private readonly everyone: Set<string> | undefined,
  ) {
    this.seen = new Uint8Array(recorder.messages);
  }

  /** Opens the socket, authenticates and subscribes; resolves once the subscription has started. */
  static open(
    baseUrl: string,
    token: string,
    input: { sessionId?: string; lastEventId?: string },
    role: Role,
    recorder: Recorder,
    everyone?: Set<string>,
  ): Promise<Subscriber> {
    const opened = performance.now();
    const ws = new WebSocket(wsUrl(baseUrl), { perMessageDeflate: false });
    const subscriber = new Subscriber(ws, role, recorder, everyone);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`not subscribed within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      const fail = (error: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      ws.on("open", () => {
        ws.send(JSON.stringify({ method: "connectionParams", data: { token } }));
        ws.send(JSON.stringify({ id: 1, method: "subscription", params: { path: "sessions.events", input: superjson.serialize(input) } }));
      });
      ws.on("message", (raw: Buffer) => {
        const status = subscriber.receive(raw);
        if (status === "started") {
          clearTimeout(timer);
          recordMs(recorder.connect, performance.now() - opened);
          resolve(subscriber);
        } else if (status instanceof Error && !subscriber.started) fail(status);
      });
      ws.on("error", (error) => (subscriber.started ? recorder.errors.push(error.message) : fail(error)));
      ws.on("close", (code) => {
        subscriber.closed = true;
        if (!subscriber.started) fail(new Error(`closed (${code}) before subscribing`));
      });
    });
  }

  private receive(raw: Buffer): "started" | Error | undefined {
    const at = clock();
    const text = raw.toString();
    if (text === "PING") return void this.ws.send("PONG");
    if (text === "PONG") return;
    // The hot path — a chat line, N × 20 of them a second on this one core — without JSON.parse:
    // the event id and the text ("m <seq> <sent epoch ms>", written by the publisher) are found by
    // their keys. Everything else is parsed in full below.
    const textAt = text.indexOf(MESSAGE_TEXT);
    const idAt = text.indexOf(TRACKED_ID);
    if (textAt !== -1 && idAt !== -1) {
      const idStart = idAt + TRACKED_ID.length;
      this.track(Number(text.slice(idStart, text.indexOf('"', idStart))));
      const body = text.slice(textAt + MESSAGE_TEXT.length, text.indexOf('"', textAt + MESSAGE_TEXT.length));
      const space = body.indexOf(" ");
      this.message(Number(body.slice(0, space)), Number(body.slice(space + 1)), at);
      return;
    }
    const message = JSON.parse(text) as StreamMessage;
    if (message.error) {
      const error = new Error(message.error.json?.message ?? text.slice(0, 200));
      this.recorder.errors.push(error.message);
      return error;
    }
    const result = message.result;
    if (result?.type === "started") {
      this.started = true;
      return "started";
    }
    if (result?.type !== "data" || !result.data) return;
    const id = Number(result.data.json.id);
    const event = result.data.json.data;
    this.track(id);

    switch (event.type) {
      case "message": {
        const [, seq, sent] = event.text!.split(" ");
        this.message(Number(seq), Number(sent), at);
        return;
      }
      case "help": {
        this.help++;
        this.recorder.helpDeliveries++;
        const sent = Number(event.note!.split(" ")[2]);
        if (this.role === "host") recordMs(this.recorder.helpHost, at - sent);
        if (this.role === "admin") recordMs(this.recorder.helpAdmin, at - sent);
        return;
      }
      case "presence": {
        this.recorder.presenceDeliveries++;
        this.presenceAt.set(id, at);
        if (this.role !== "observer") return;
        const batch = event as PresenceBatch;
        this.recorder.presenceEvents++;
        this.recorder.presenceEntries += batch.online.length + batch.offline.length;
        applyPresence(this.online, batch);
        if (this.recorder.settleId === undefined && [...this.everyone!].every((userId) => this.online.has(userId))) {
          this.recorder.settleId = id;
          this.recorder.settleObservedAt = at;
        }
        return;
      }
    }
  }

  /** When the settle event (the presence event that completed everyone's "online") arrived here. */
  get settledAt(): number | undefined {
    return this.recorder.settleId === undefined ? undefined : this.presenceAt.get(this.recorder.settleId);
  }

  /** Every event: ids must increase on a stream. */
  private track(id: number): void {
    if (this.firstId === Infinity) this.firstId = id;
    if (id <= this.lastId) this.recorder.orderViolations++;
    this.lastId = id;
  }

  /** A chat line from the publisher: number `seq`, sent at `sent` (epoch ms). */
  private message(seq: number, sent: number, at: number): void {
    if (this.seen[seq]) {
      this.recorder.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    this.messages++;
    if (this.role === "subscriber" || this.role === "observer") {
      this.recorder.delivered++;
      recordMs(this.recorder.fanout, at - sent);
    }
  }

  close(): void {
    if (!this.closed) this.ws.terminate();
  }
}

export async function openAll(
  baseUrl: string,
  tokens: string[],
  input: (index: number) => { sessionId: string; lastEventId?: string },
  recorder: Recorder,
  options: { concurrency: number; everyone?: Set<string>; firstIsObserver: boolean },
): Promise<{ subscribers: Subscriber[]; failures: string[] }> {
  const subscribers: Subscriber[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tokens.length) {
      const index = next++;
      try {
        const role: Role = index === 0 && options.firstIsObserver ? "observer" : "subscriber";
        subscribers.push(await Subscriber.open(baseUrl, tokens[index]!, input(index), role, recorder, role === "observer" ? options.everyone : undefined));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, tokens.length) }, worker));
  return { subscribers, failures };
}

/** In a yardstick's frame: the publisher's chat line ("m <seq> <sent epoch ms>"). */
const PLAIN_TEXT = '"text":"m ';

/**
 * `count` plain sockets to a yardstick server (bench/lib/bare-ws-server.ts,
 * bench/lib/prebuilt-frame-server.ts): no protocol, each text frame is a tRPC-shaped result whose
 * chat line carries its send time. Latency and deliveries go to `recorder` as Pulse's do.
 */
export async function openPlain(url: string, count: number, concurrency: number, recorder: Recorder): Promise<{ sockets: WebSocket[]; failures: string[] }> {
  const sockets: WebSocket[] = [];
  const failures: string[] = [];
  for (let start = 0; start < count; start += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - start) }, () => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on("message", (raw: Buffer) => {
        const at = clock();
        const text = raw.toString();
        const marker = text.indexOf(PLAIN_TEXT);
        if (marker === -1) return; // a warm-up line
        const from = marker + PLAIN_TEXT.length;
        const body = text.slice(from, text.indexOf('"', from));
        recorder.delivered++;
        recordMs(recorder.fanout, at - Number(body.slice(body.indexOf(" ") + 1)));
      });
      ws.on("error", (error) => recorder.errors.push(error.message));
      return new Promise<void>((resolve) => {
        ws.once("open", () => {
          sockets.push(ws);
          resolve();
        });
        ws.once("error", (error) => {
          failures.push(error.message);
          resolve();
        });
      });
    });
    await Promise.all(batch);
  }
  return { sockets, failures };
}
