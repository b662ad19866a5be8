/**
 * Where the API lives and how its WebSocket says goodbye: the server serves these paths and
 * sends these close codes, the browser and the Node client connect to them and act on them.
 */

/** tRPC over HTTP: a procedure is at `${TRPC_HTTP_PATH}/<path>` (e.g. /api/trpc/health.ping). */
export const TRPC_HTTP_PATH = "/api/trpc";

/** tRPC over WebSocket (subscriptions), on the same port as HTTP. */
export const TRPC_WS_PATH = "/api/ws";

/**
 * The socket's login session or API token was revoked (or its role changed). A socket's context
 * is fixed when it opens, so the server closes it; the client reconnects with what it holds now.
 */
export const CLOSE_CREDENTIALS_REVOKED = 4001;

/** "Service restart" (RFC 6455): the instance is draining; reconnect, to another one if there is one. */
export const CLOSE_SERVICE_RESTART = 1012;

/**
 * The request header that carries a page request's Content-Security-Policy nonce from the server
 * (which makes it) to the root layout (which puts it on its inline script).
 */
export const NONCE_HEADER = "x-nonce";

/**
 * Too many WebSockets open at once for this account (WS_CONNECTIONS_PER_USER): the newest is
 * closed once its caller is known. (Too many from one address is refused earlier, with HTTP 429 on
 * the upgrade itself.) Close another tab or program before reconnecting.
 */
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

/** The socket went on sending calls after they were refused for being too many (WS_MESSAGES_PER_10S). */
export const CLOSE_TOO_MANY_MESSAGES = 4008;

/**
 * The socket held more unsent bytes than the server keeps for one client (SLOW_CONSUMER_BYTES):
 * reconnect and resubscribe with the last event id received; nothing is lost.
 */
export const CLOSE_TOO_SLOW = 4013;
