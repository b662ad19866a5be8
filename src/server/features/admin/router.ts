import { adminProcedure, router } from "@/server/trpc/trpc";
import { auditLogInput, broadcastInput, broadcastsInput, setMaintenanceInput } from "./schemas.js";
import type { AdminService } from "./service.js";

/** Admins only: FORBIDDEN to everyone else, over every transport. */
export const adminRouter = (admin: AdminService) =>
  router({
    /**
     * `{ on, message? }` → the maintenance state. While on, everyone but admins has mutations
     * refused (PRECONDITION_FAILED, with the message) and every page shows a banner.
     */
    setMaintenance: adminProcedure.input(setMaintenanceInput).mutation(({ ctx, input }) => admin.setMaintenance(ctx.caller, input, ctx.meta)),

    /** `{ text, level? }` ("info" | "warning" | "critical") → the broadcast, delivered on `system.events` and kept as unread. */
    broadcast: adminProcedure.input(broadcastInput).mutation(({ ctx, input }) => admin.broadcast(ctx.caller, input, ctx.meta)),

    /** `{ limit? }` → the newest broadcasts, newest first. */
    broadcasts: adminProcedure.input(broadcastsInput).query(({ input }) => admin.broadcasts(input.limit)),

    /** `{ action?, actorId?, cursor?, limit? }` → `{ items, nextCursor }`, newest first; `action` may be a prefix ending in "." (`auth.`). */
    auditLog: adminProcedure.input(auditLogInput).query(({ input }) => admin.auditLog(input)),

    /** The actions the audit log holds or Pulse writes, sorted: the filter's choices. */
    auditActions: adminProcedure.query(() => admin.auditActions()),
  });
