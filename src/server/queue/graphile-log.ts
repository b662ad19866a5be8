import { Logger as GraphileLogger } from "graphile-worker";
import type { DatabaseAvailability } from "@/server/db/availability";
import type { Logger } from "@/server/log";

/**
 * graphile-worker's log lines into ours. Its routine chatter (workers starting, jobs completing)
 * goes to debug; warnings and errors keep their level — except that the database being
 * unreachable is reported to DatabaseAvailability, which logs an outage once, not once per
 * reconnect attempt of every worker.
 */
export function graphileLogger(log: Logger, availability: DatabaseAvailability): GraphileLogger {
  const queueLog = log.child({ component: "job-queue" });
  return new GraphileLogger((scope) => (level, message, meta) => {
    const fields = { ...scope, ...(meta ?? {}) };
    const serious = level === "error" || level === "warning";
    if (serious && (availability.report(meta?.error) || availability.report({ message }) || availability.down)) {
      queueLog.debug(fields, message);
      return;
    }
    if (level === "error") queueLog.error(fields, message);
    else if (level === "warning") queueLog.warn(fields, message);
    else queueLog.debug(fields, message);
  });
}
