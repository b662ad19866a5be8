"use client";
/**
 * The browser's tRPC: a TanStack Query client plus a tRPC client whose queries and mutations go
 * over batched HTTP and whose subscriptions share one lazy WebSocket. The httpOnly
 * `pulse_session` cookie authenticates both (the browser sends it on the WS upgrade too).
 *
 *   const trpc = useTRPC();
 *   const me = useQuery(trpc.auth.me.queryOptions());
 *   const live = useSubscription(trpc.health.live.subscriptionOptions());
 *   const { state } = useConnection();   // "live" | "connecting" | "reconnecting" | "idle"
 *
 * A socket's server-side context is fixed when it opens, so after signing in or out call
 * `resetSession()`: it drops cached data and starts a fresh socket for the new identity.
 */
import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError, type TRPCClient, type TRPCWebSocketClient } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import superjson from "superjson";
import { createLinks } from "./links";
import type { AppRouter } from "@/server/trpc/router";
import { CLOSE_CREDENTIALS_REVOKED, TRPC_HTTP_PATH } from "@/shared/api";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** What the socket is doing, in words a person understands. */
export type ConnectionState = "idle" | "connecting" | "live" | "reconnecting";

interface ConnectionContextValue {
  state: ConnectionState;
  /** The last time the socket opened (ms since epoch), if ever. */
  openedAt: number | null;
  /** After sign-in or sign-out: forget cached data, close the socket, start afresh. */
  resetSession(): void;
}

const ConnectionContext = createContext<ConnectionContextValue | null>(null);

interface Clients {
  trpcClient: TRPCClient<AppRouter>;
  socket: TRPCWebSocketClient | null;
}

function makeClients(onRevoked: () => void): Clients {
  if (typeof window === "undefined") {
    // Server render: nothing is fetched here (queries run in the browser), and Node 20 has no
    // global WebSocket, so the server gets an HTTP-only client that is never called.
    return {
      trpcClient: createTRPCClient<AppRouter>({
        links: [httpBatchLink({ url: `http://localhost${TRPC_HTTP_PATH}`, transformer: superjson })],
      }),
      socket: null,
    };
  }
  const { links, socket } = createLinks({
    baseUrl: window.location.origin,
    onSocketClose: (code) => {
      if (code === CLOSE_CREDENTIALS_REVOKED) onRevoked();
    },
  });
  return { trpcClient: createTRPCClient<AppRouter>({ links }), socket };
}

/** The tRPC error code of an error (UNAUTHORIZED, NOT_FOUND, …), if it is one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

function makeQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        // A revoked or expired login: ask who we are again, so that app pages send the person to sign in.
        if (errorCode(error) === "UNAUTHORIZED" && JSON.stringify(query.queryKey[0]) !== '["auth","me"]') {
          void queryClient.invalidateQueries({ queryKey: [["auth", "me"]] });
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        retry: (failures, error) => {
          const code = errorCode(error);
          if (code && code !== "INTERNAL_SERVER_ERROR" && code !== "TIMEOUT") return false;
          return failures < 2;
        },
      },
    },
  });
  return queryClient;
}

export function PulseProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  // Signed out elsewhere (another device revoked this login): ask who we are, so app pages
  // send the person to sign in at once instead of at their next click.
  const [onRevoked] = useState(() => () => void queryClient.invalidateQueries({ queryKey: [["auth", "me"]] }));
  const [clients, setClients] = useState<Clients>(() => makeClients(onRevoked));
  const [state, setState] = useState<ConnectionState>("idle");
  const [openedAt, setOpenedAt] = useState<number | null>(null);

  useEffect(() => {
    const socket = clients.socket;
    if (!socket) return;
    let everOpened = false;
    const subscription = socket.connectionState.subscribe({
      next(value) {
        if (value.state === "pending") {
          everOpened = true;
          setOpenedAt(Date.now());
          setState("live");
        } else if (value.state === "connecting") {
          setState(value.error || everOpened ? "reconnecting" : "connecting");
        } else {
          setState("idle");
        }
      },
    });
    return () => subscription.unsubscribe();
  }, [clients.socket]);

  const current = useRef(clients);
  useEffect(() => {
    current.current = clients;
  }, [clients]);

  const resetSession = useCallback(() => {
    queryClient.clear();
    void current.current.socket?.close().catch(() => undefined);
    setClients(makeClients(onRevoked));
  }, [queryClient, onRevoked]);

  const connection = useMemo(() => ({ state, openedAt, resetSession }), [state, openedAt, resetSession]);

  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={clients.trpcClient} queryClient={queryClient}>
        <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}

/** The realtime socket's state, for a "live / reconnecting…" indicator, and `resetSession()`. */
export function useConnection(): ConnectionContextValue {
  const value = useContext(ConnectionContext);
  if (!value) throw new Error("useConnection() must be used inside <PulseProvider>");
  return value;
}
