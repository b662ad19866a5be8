/**
 * What admins do to the platform as a whole: maintenance mode and broadcasts (the system
 * feature's state, written there with their audit rows) and reading the audit log.
 */
import type { App } from "@/server/app";
import type { Caller, RequestMeta } from "@/server/features/auth/service";
import type { SystemService } from "@/server/features/system/service";
import type { BroadcastLevel } from "@/shared/system";
import { auditActions, readAuditLog, type AuditQuery } from "./audit.js";

export function createAdminService(app: App, deps: { system: SystemService }) {
  const { system } = deps;
  return {
    setMaintenance: (caller: Caller, input: { on: boolean; message?: string }, meta: RequestMeta) => system.setMaintenance(caller, input, meta),
    broadcast: (caller: Caller, input: { text: string; level?: BroadcastLevel }, meta: RequestMeta) => system.broadcast(caller, input, meta),
    broadcasts: (limit: number) => system.recentBroadcasts(limit),
    auditLog: (query: AuditQuery) => readAuditLog(app.pool, query),
    auditActions: () => auditActions(app.pool),
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
