import { Logger as GraphileLogger } from "graphile-worker";
import type { Logger } from "@/server/log";

/**
 * graphile-worker's log lines into ours. Its routine chatter (workers starting, jobs completing)
 * goes to debug; warnings and errors keep their level.
 */
export function graphileLogger(log: Logger): GraphileLogger {
  const queueLog = log.child({ component: "job-queue" });
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...(meta ?? {}) };
    if (level === "error") queueLog.error(fields, message);
    else if (level === "warning") queueLog.warn(fields, message);
    else queueLog.debug(fields, message);
  });
}
