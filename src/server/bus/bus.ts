import { EventEmitter } from "node:events";
import pg from "pg";
import type { Logger } from "../log.js";

/**
 * Cross-instance events over PostgreSQL LISTEN/NOTIFY. Payloads stay small (ids, not data):
 * whoever needs the data reads it from its table. Every instance, the sender included,
 * receives each notification once, through PostgreSQL.
 */
export interface Bus {
  publish(channel: string, payload: string): Promise<void>;
  /** Returns a function that unsubscribes. Resolves once PostgreSQL listens on the channel. */
  subscribe(channel: string, handler: (payload: string) => void): Promise<() => void>;
  close(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1_000;

export async function createBus(url: string, publisher: pg.Pool, log: Logger): Promise<Bus> {
  const local = new EventEmitter();
  local.setMaxListeners(0);
  /** Channel → how many subscribers, and the LISTEN that the first one started. */
  const listening = new Map<string, { count: number; ready: Promise<unknown> }>();
  let client: pg.Client | undefined;
  let closed = false;

  const quote = (channel: string) => `"${channel.replaceAll('"', '""')}"`;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: url });
    next.on("notification", (message) => local.emit(message.channel, message.payload ?? ""));
    next.on("error", (err) => {
      log.warn({ err }, "event bus connection lost; reconnecting");
      next.end().catch(() => undefined);
      if (client === next) client = undefined;
      if (!closed) setTimeout(() => void reconnect(), RECONNECT_DELAY_MS);
    });
    await next.connect();
    for (const channel of listening.keys()) await next.query(`LISTEN ${quote(channel)}`);
    client = next;
  }

  async function reconnect(): Promise<void> {
    try {
      await connect();
      log.info("event bus reconnected");
    } catch (err) {
      log.warn({ err }, "event bus reconnect failed; retrying");
      if (!closed) setTimeout(() => void reconnect(), RECONNECT_DELAY_MS);
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
      else listening.set(channel, (entry = { count: 1, ready: client?.query(`LISTEN ${quote(channel)}`) ?? Promise.resolve() }));
      await entry.ready;
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        local.off(channel, handler);
        const current = listening.get(channel);
        if (current && --current.count > 0) return;
        listening.delete(channel);
        client?.query(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
      };
    },
    async close() {
      closed = true;
      await client?.end().catch(() => undefined);
    },
  };
}
