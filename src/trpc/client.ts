/**
 * The typed client for TypeScript programs (Node): every procedure and subscription of Pulse,
 * with full types.
 *
 *   const pulse = createPulseClient({ url: "http://localhost:3000", token: process.env.PULSE_TOKEN });
 *   const { time } = await pulse.health.ping.query();
 *   await pulse.close();
 */
import { createTRPCClient, type TRPCClient, type TRPCWebSocketClient } from "@trpc/client";
import WebSocket from "ws";
import type { AppRouter } from "@/server/trpc/router";
import { createLinks } from "./links";

export type { AppRouter };
export type { RouterInputs, RouterOutputs } from "./types";

export interface PulseClientOptions {
  /** The server's base URL, e.g. https://pulse.example.com */
  url: string;
  /** An API token (`pat_…`) or a login token from `auth.signIn`; a function is asked on each call. */
  token?: string | (() => string | undefined);
  onSocketOpen?: () => void;
  onSocketClose?: (code?: number) => void;
}

export type PulseClient = TRPCClient<AppRouter> & {
  /** Closes the WebSocket (if one was opened) so the program can exit. */
  close(): Promise<void>;
  /** The underlying WebSocket client: its `connectionState` can be observed. */
  socket: TRPCWebSocketClient;
};

export function createPulseClient(options: PulseClientOptions): PulseClient {
  const currentToken = () => (typeof options.token === "function" ? options.token() : options.token);
  const { links, socket } = createLinks({
    baseUrl: options.url,
    headers: (): Record<string, string> => {
      const token = currentToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    connectionParams: (): Record<string, string> => {
      const token = currentToken();
      return token ? { token } : {};
    },
    WebSocket: globalThis.WebSocket ?? (WebSocket as unknown as typeof globalThis.WebSocket),
    onSocketOpen: options.onSocketOpen,
    onSocketClose: options.onSocketClose,
  });
  const client = createTRPCClient<AppRouter>({ links });
  const extras = { close: () => socket.close(), socket };
  // The tRPC client is a proxy that reads every property as a procedure path: answer our two first.
  return new Proxy(client, {
    get: (target, property, receiver) =>
      property in extras ? extras[property as keyof typeof extras] : Reflect.get(target, property, receiver),
  }) as PulseClient;
}
