/**
 * A WebSocket speaking just enough of tRPC's protocol for load: open with the load-test token in
 * connectionParams, subscribe, receive data. Hand-rolled rather than the typed client so that a
 * thousand of them cost little in the runner, leaving its CPU to measuring.
 */
import WebSocket from "ws";
import { LOAD_TEST_HEADER } from "@/shared/load-tests";
import type { RunnerSettings } from "./protocol.js";

interface SubscriptionHandlers {
  onStarted?(): void;
  onData(data: unknown, eventId: string | undefined): void;
  onError(message: string): void;
}

export class LoadSocket {
  private nextId = 1;
  private readonly subscriptions = new Map<number, SubscriptionHandlers>();
  readonly closed: Promise<void>;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
    ws.on("message", (raw: Buffer) => this.receive(raw.toString()));
    ws.on("close", () => {
      for (const handlers of this.subscriptions.values()) handlers.onError("socket closed");
      this.subscriptions.clear();
    });
  }

  static open(settings: RunnerSettings, timeoutMs = 10_000): Promise<LoadSocket> {
    const url = new URL("/api/ws", settings.target);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("connectionParams", "1");
    const ws = new WebSocket(url, { headers: { [LOAD_TEST_HEADER]: settings.secret }, handshakeTimeout: timeoutMs });
    return new Promise((resolve, reject) => {
      ws.once("open", () => {
        ws.send(JSON.stringify({ method: "connectionParams", data: { token: settings.token } }));
        resolve(new LoadSocket(ws));
      });
      ws.once("error", reject);
    });
  }

  subscribe(path: string, input: unknown, handlers: SubscriptionHandlers): () => void {
    const id = this.nextId++;
    this.subscriptions.set(id, handlers);
    this.ws.send(JSON.stringify({ id, method: "subscription", params: { path, input: { json: input } } }));
    return () => {
      if (!this.subscriptions.delete(id) || this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.send(JSON.stringify({ id, method: "subscription.stop" }));
    };
  }

  /** Closes the socket; its subscriptions end quietly (no error: the run chose to close it). */
  close(): void {
    this.subscriptions.clear();
    this.ws.close();
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private receive(text: string): void {
    if (text === "PING") return this.ws.send("PONG");
    if (text === "PONG") return;
    let message: { id?: number; result?: { type: string; id?: string; data?: { json?: unknown } }; error?: { json?: { message?: string } } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const handlers = typeof message.id === "number" ? this.subscriptions.get(message.id) : undefined;
    if (!handlers) return;
    if (message.error) {
      this.subscriptions.delete(message.id!);
      handlers.onError(message.error.json?.message ?? "subscription failed");
    } else if (message.result?.type === "started") handlers.onStarted?.();
    else if (message.result?.type === "data") {
      // A tracked event's data is `{ id, data }` (tRPC's envelope): the event is its `data`.
      const json = message.result.data?.json as { data?: unknown } | undefined;
      handlers.onData(message.result.id !== undefined ? json?.data : json, message.result.id);
    }
    else if (message.result?.type === "stopped") this.subscriptions.delete(message.id!);
  }
}
