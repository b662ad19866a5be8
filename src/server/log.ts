import pino, { type Logger } from "pino";

export type { Logger };

/** JSON logs to stdout; request ids are added per request with `log.child({ reqId })`. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    redact: { paths: ["req.headers.cookie", "req.headers.authorization", "password", "token"], remove: true },
  });
}
