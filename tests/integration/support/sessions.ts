/**
 * Helpers for the live-session tests: following a session's events with the typed client, a
 * client whose connection can be cut and restored, and the sessions tables' row counts.
 */
import { createTRPCClient } from "@trpc/client";
import WebSocket from "ws";
import { applyPresence, type SessionEvent } from "@/server/features/sessions/service";
import type { AppRouter, PulseClient } from "@/trpc/client";
import { createLinks } from "@/trpc/links";
import type { TestServer } from "../../helpers/server";
import { eventually, sql } from "./raw";

export interface Received {
  id: string;
  event: SessionEvent;
}

export interface Follower {
  received: Received[];
  /** The events of one type, in order. */
  of<T extends SessionEvent["type"]>(type: T): Extract<SessionEvent, { type: T }>[];
  error: unknown;
  started: Promise<void>;
  /** Resolves once `check` holds for what was received (fails after a timeout naming `what`). */
  until(check: (received: Received[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): void;
}

type EventsInput = { sessionId?: string; lastEventId?: string | null };

/** Subscribes to `sessions.events` and records every event. */
export function follow(client: Pick<PulseClient, "sessions">, input: EventsInput): Follower {
  const received: Received[] = [];
  let markStarted: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const follower: Follower = {
    received,
    of: <T extends SessionEvent["type"]>(type: T) =>
      received.map((r) => r.event).filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type),
    error: undefined,
    started,
    until: (check, what, timeoutMs) =>
      eventually(() => {
        if (follower.error) throw follower.error;
        return check(received);
      }, what, timeoutMs),
    stop: () => subscription.unsubscribe(),
  };
  const subscription = client.sessions.events.subscribe(input, {
    onStarted: () => markStarted(),
    onData: (envelope) => received.push({ id: envelope.id, event: envelope.data }),
    onError: (error) => {
      follower.error = error;
      markStarted();
    },
  });
  return follower;
}

/**
 * Who is online as a client derives it: `byId`'s participants (their `instances`) as of its
 * `lastEventId`, then every later `presence` event in order.
 */
export function derivedOnline(seed: { userId: string; instances: string[] }[], received: Received[]): Set<string> {
  const online = new Map(seed.filter((p) => p.instances.length).map((p) => [p.userId, new Set(p.instances)]));
  for (const { event } of received) if (event.type === "presence") applyPresence(online, event);
  return new Set(online.keys());
}

/** The presence events received that list `userId` as online (or offline). */
export function presenceOf(follower: Pick<Follower, "of">, userId: string, which: "online" | "offline") {
  return follower.of("presence").filter((e) => e[which].some((u) => u.userId === userId));
}

/** The first error a subscription fails with (its tRPC code), or "OK" if it starts and yields. */
export function subscriptionError(client: Pick<PulseClient, "sessions">, input: EventsInput): Promise<string> {
  return new Promise((resolve) => {
    const subscription = client.sessions.events.subscribe(input, {
      onData: () => {
        subscription.unsubscribe();
        resolve("OK");
      },
      onError: (error) => resolve((error as { data?: { code?: string } }).data?.code ?? String(error)),
    });
  });
}

/**
 * A typed client (HTTP + WebSocket, like the project's) whose connection the test can cut:
 * `drop()` kills the socket and makes reconnection attempts fail until `restore()`.
 */
export function droppableClient(server: TestServer, token: string) {
  const state = { offline: false, sockets: [] as WebSocket[], opened: 0 };
  class Droppable extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      // Port 9 (discard) refuses: the client keeps retrying until it is back "online".
      super(state.offline ? "ws://127.0.0.1:9/" : url, protocols);
      state.sockets.push(this);
      this.once("open", () => state.opened++);
    }
  }
  const { links, socket } = createLinks({
    baseUrl: server.url,
    headers: () => ({ Authorization: `Bearer ${token}` }),
    connectionParams: () => ({ token }),
    WebSocket: Droppable as unknown as typeof globalThis.WebSocket,
  });
  const client = createTRPCClient<AppRouter>({ links });
  return {
    client,
    /** How many connections have opened so far. */
    get opened() {
      return state.opened;
    },
    drop() {
      state.offline = true;
      for (const ws of state.sockets) ws.terminate();
    },
    restore() {
      state.offline = false;
    },
    close: () => socket.close(),
  };
}

/** Rows in every table a sessions procedure writes. */
export async function sessionRowCounts(databaseUrl: string) {
  const [row] = await sql<Record<string, string>>(
    databaseUrl,
    `SELECT (SELECT count(*) FROM "LiveSession") AS sessions,
            (SELECT count(*) FROM "SessionParticipant") AS participants,
            (SELECT count(*) FROM "SessionParticipant" WHERE "leftAt" IS NULL) AS present,
            (SELECT count(*) FROM "SessionEvent") AS events,
            (SELECT count(*) FROM "SessionDoc") AS docs,
            (SELECT count(*) FROM "SessionHelpRequest") AS help,
            (SELECT count(*) FROM "AuditLog") AS audit,
            (SELECT md5(string_agg(status::text || state::text, ',' ORDER BY id)) FROM "LiveSession") AS states`,
  );
  return Object.fromEntries(Object.entries(row!).map(([key, value]) => [key, key === "states" ? value : Number(value)]));
}
