import pino, { type Logger } from "pino";

export type { Logger };

/** JSON logs to stdout (or `destination`); request ids are added per request with `log.child({ reqId })`. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: { paths: ["req.headers.cookie", "req.headers.authorization", "password", "token"], remove: true },
  };
  return destination ? pino(options, destination) : pino(options);
}
