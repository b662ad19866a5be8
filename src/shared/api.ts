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
