import { EventEmitter } from "node:events";
import pg from "pg";
import type { Logger } from "@/server/log";

/**
 * Cross-instance events over PostgreSQL LISTEN/NOTIFY. Payloads stay small (ids, not data):
 * whoever needs the data reads it from its table. Every instance, the sender included,
 * receives each notification once, through PostgreSQL — while its listening connection is up.
 * Notifications sent while it is down are lost, so whoever keeps state from them re-reads it
 * when `onReconnect` fires.
 */
export interface Bus {
  publish(channel: string, payload: string): Promise<void>;
  /** Returns a function that unsubscribes. Resolves once PostgreSQL listens on the channel. */
  subscribe(channel: string, handler: (payload: string) => void): Promise<() => void>;
  /**
   * Called each time the listening connection is back after a loss (not on the first connect),
   * once it listens on every channel again: re-read whatever may have been announced meanwhile.
   */
  onReconnect(handler: () => void): () => void;
  close(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1_000;
/** How the listening connection shows up in pg_stat_activity (operators, and the tests that cut it). */
export const BUS_APPLICATION_NAME = "pulse-bus";

export async function createBus(url: string, publisher: pg.Pool, log: Logger): Promise<Bus> {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  const reconnected = new Set<() => void>();
  /** Channel → how many subscribers, and the LISTEN that the first one queued. */
  const listening = new Map<string, { count: number; ready: Promise<void> }>();
  let client: pg.Client | undefined;
  let closed = false;
  /**
   * LISTEN and UNLISTEN, one after another on the one listening connection: pg 9 refuses a query
   * on a client that is still running one (pg 8 warns), and their order matters.
   */
  let statements: Promise<void> = Promise.resolve();

  const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

  /** Queues a statement for the current connection; without one, the next connect LISTENs anyway. */
  function run(statement: string): Promise<void> {
    const queued = statements.then(async () => {
      await client?.query(statement);
    });
    statements = queued.catch(() => undefined);
    return queued;
  }

  /** The listening connection failed or ended: reconnect. (A connection still connecting fails its connect() instead.) */
  function lost(connection: pg.Client, err?: Error): void {
    if (client !== connection) return;
    client = undefined;
    connection.end().catch(() => undefined);
    if (closed) return;
    log.warn({ err }, "event bus connection lost; reconnecting");
    setTimeout(() => void reconnect(), RECONNECT_DELAY_MS);
  }

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: url, application_name: BUS_APPLICATION_NAME, keepAlive: true });
    next.on("notification", (message) => local.emit(message.channel, message.payload ?? ""));
    next.on("error", (err) => lost(next, err));
    next.on("end", () => lost(next));
    try {
      await next.connect();
      // Nothing else uses `next` until it becomes `client`: these run one after another.
      for (const channel of listening.keys()) await next.query(`LISTEN ${quote(channel)}`);
    } catch (err) {
      next.end().catch(() => undefined);
      throw err;
    }
    client = next;
  }

  async function reconnect(attempt = 1): Promise<void> {
    if (closed) return;
    try {
      await connect();
    } catch (err) {
      // Once, not every second of an outage.
      if (attempt === 1) log.warn({ err }, "event bus reconnect failed; retrying every second");
      setTimeout(() => void reconnect(attempt + 1), RECONNECT_DELAY_MS);
      return;
    }
    log.info({ attempts: attempt }, "event bus reconnected");
    for (const handler of reconnected) {
      try {
        handler();
      } catch (err) {
        log.error({ err }, "an event bus reconnect handler failed");
      }
    }
  }

  await connect();

  return {
    async publish(channel, payload) {
      await publisher.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    async subscribe(channel, handler) {
      local.on(channel, handler);
      let entry = listening.get(channel);
      if (entry) entry.count++;
      else listening.set(channel, (entry = { count: 1, ready: run(`LISTEN ${quote(channel)}`) }));
      await entry.ready;
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        local.off(channel, handler);
        const current = listening.get(channel);
        if (current && --current.count > 0) return;
        listening.delete(channel);
        run(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
      };
    },
    onReconnect(handler) {
      reconnected.add(handler);
      return () => void reconnected.delete(handler);
    },
    async close() {
      closed = true;
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
