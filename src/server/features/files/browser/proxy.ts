/**
 * The egress proxy Chromium is launched behind: every request a captured page makes (the page,
 * its redirects, frames, scripts, images, fetches, websockets) leaves through here. Each target
 * is resolved once with the address policy and the connection goes to exactly the address that
 * passed, so a name cannot resolve to a public address for the check and a private one for the
 * connection. Plain http arrives in absolute form (`GET http://host/path`); https and wss arrive
 * as CONNECT tunnels, which also keep TLS end to end between Chromium and the site.
 */
import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "@/server/log";
import { AppError } from "@/server/errors";
import { MESSAGES, normalizeHost, portOf, resolveAddresses, type ResolvedAddress } from "./guard.js";

/** The proxy's own refusal carries this header, so a capture can tell it apart from a site's own 403. */
export const BLOCKED_HEADER = "x-pulse-blocked";
/** On the proxy's own 502: the site did not answer, so the capture fails rather than shooting our error page. */
export const UNREACHABLE_HEADER = "x-pulse-unreachable";

export interface EgressProxy {
  /** `http://127.0.0.1:PORT`, for `--proxy-server`. */
  url: string;
  /** Requests refused by the address policy since start. */
  readonly blocked: number;
  close(): Promise<void>;
}

export interface EgressProxyOptions {
  allow: Set<string>;
  log?: Logger;
  /** A tunnel or upstream connection silent for this long is closed. */
  idleTimeoutMs?: number;
  /** How long one connection attempt to an upstream address may take. */
  connectTimeoutMs?: number;
}

/** Request headers meant for the proxy or for one hop only; never forwarded. */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade"];

class Refused extends Error {}

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const sockets = new Set<net.Socket>();
  let blocked = 0;

  /** Resolves and connects, or throws Refused (policy) or a connection error. */
  async function open(host: string, port: number): Promise<net.Socket> {
    let addresses: ResolvedAddress[];
    try {
      addresses = await resolveAddresses(host, options.allow);
    } catch (error) {
      blocked++;
      const reason = error instanceof AppError ? error.message : String(error);
      // A name that does not resolve is no attempt on a private network (Chromium's own calls
      // home land here on machines without outside DNS): not worth a warning.
      const level = reason === MESSAGES.unresolved ? "debug" : "warn";
      options.log?.[level]({ host: normalizeHost(host), port, reason }, "capture request blocked");
      throw new Refused(error instanceof Error ? error.message : String(error));
    }
    let lastError: unknown;
    // Every address passed the check; try them in the resolver's order (localhost may be ::1 first).
    for (const { address, family } of addresses) {
      try {
        return await connect(address, family, port, connectTimeoutMs);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error("connection failed");
  }

  function track(socket: net.Socket): void {
    sockets.add(socket);
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  }

  function splice(client: Duplex, upstream: net.Socket): void {
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  }

  const server = http.createServer((req, res) => {
    void forward(req, res);
  });

  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = absoluteUrl(req.url);
    if (!target || target.protocol !== "http:") {
      res.writeHead(400, { "content-type": "text/plain", connection: "close" }).end("This proxy takes absolute http URLs only.\n");
      return;
    }
    let upstream: net.Socket;
    try {
      upstream = await open(target.hostname, portOf(target));
    } catch (error) {
      refuse(res, error);
      return;
    }
    track(upstream);
    const outgoing = http.request({
      createConnection: () => upstream,
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers: withoutHopByHop(req.headers),
      setHost: false,
    });
    outgoing.on("response", (incoming) => {
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, withoutHopByHop(incoming.headers));
      incoming.pipe(res);
      incoming.on("error", () => res.destroy());
    });
    outgoing.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain", [UNREACHABLE_HEADER]: "1", connection: "close" }).end("The site's connection failed.\n");
      else res.destroy();
    });
    res.on("close", () => upstream.destroy());
    req.pipe(outgoing);
  }

  // https and wss: a byte tunnel to the checked address.
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    const authority = parseAuthority(req.url ?? "");
    if (!authority) {
      client.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    open(authority.host, authority.port).then(
      (upstream) => {
        track(upstream);
        if (client.destroyed) return upstream.destroy();
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) upstream.write(head);
        splice(client, upstream);
      },
      (error: unknown) => {
        const status = error instanceof Refused ? `403 Forbidden\r\n${BLOCKED_HEADER}: 1` : "502 Bad Gateway";
        client.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      },
    );
  });

  // ws:// sent in absolute form (Chromium tunnels websockets with CONNECT, other clients may not).
  server.on("upgrade", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    const target = absoluteUrl(req.url);
    if (!target || (target.protocol !== "http:" && target.protocol !== "ws:")) {
      client.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    open(target.hostname, portOf(target)).then(
      (upstream) => {
        track(upstream);
        const headers = Object.entries(req.headers).filter(([name]) => !name.startsWith("proxy-"));
        const lines = headers.flatMap(([name, value]) => (Array.isArray(value) ? value : [value ?? ""]).map((v) => `${name}: ${v}`));
        upstream.write(`${req.method} ${target.pathname}${target.search} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        splice(client, upstream);
      },
      (error: unknown) => {
        const status = error instanceof Refused ? `403 Forbidden\r\n${BLOCKED_HEADER}: 1` : "502 Bad Gateway";
        client.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      },
    );
  });

  server.on("connection", (socket: net.Socket) => track(socket));
  server.on("clientError", (_error, socket: Duplex) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get blocked() {
      return blocked;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function refuse(res: http.ServerResponse, error: unknown): void {
  if (error instanceof Refused) {
    res.writeHead(403, { "content-type": "text/plain; charset=utf-8", [BLOCKED_HEADER]: "1", connection: "close" }).end(`${error.message}\n`);
  } else {
    res.writeHead(502, { "content-type": "text/plain; charset=utf-8", [UNREACHABLE_HEADER]: "1", connection: "close" }).end("The site could not be reached.\n");
  }
}

function connect(address: string, family: 4 | 6, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, family, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("connection timed out"));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function absoluteUrl(value: string | undefined): URL | undefined {
  try {
    return value ? new URL(value) : undefined;
  } catch {
    return undefined;
  }
}

/** `host:port` or `[v6]:port` from a CONNECT request line. */
function parseAuthority(value: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\s]+):(\d{1,5})$/.exec(value);
  if (!match) return undefined;
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535 ? { host: match[1]!, port } : undefined;
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(HOP_BY_HOP);
  // Headers the Connection header names are hop-by-hop too.
  for (const name of String(headers.connection ?? "").split(",")) named.add(name.trim().toLowerCase());
  const result: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!named.has(name) && value !== undefined) result[name] = value;
  return result;
}
