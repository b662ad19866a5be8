/**
 * Platform-wide state every page shows: maintenance mode (a banner; changes refused) and admins'
 * broadcasts (a toast), as `system.status` returns them and `system.events` delivers them, plus
 * the audit log's shapes for the Admin page. Times are Dates (superjson carries them).
 */

export const BROADCAST_LEVELS = ["info", "warning", "critical"] as const;
export type BroadcastLevel = (typeof BROADCAST_LEVELS)[number];

export const SYSTEM_LIMITS = {
  /** A broadcast's text, in characters. */
  broadcastText: 500,
  /** Maintenance mode's message, in characters. */
  maintenanceMessage: 300,
  /** Unread broadcasts older than this are not news any more: `system.status` leaves them out. */
  unreadDays: 7,
  /** At most this many unread broadcasts are returned (the newest). */
  unreadShown: 10,
  /** An audit-log filter's action, in characters. */
  auditAction: 100,
  auditPage: { default: 50, max: 200 },
} as const;

export interface BroadcastView {
  /** The event id (decimal): increasing; `system.markRead({ upToId })` takes it. */
  id: string;
  text: string;
  level: BroadcastLevel;
  author: { id: string; name: string } | null;
  createdAt: Date;
}

export interface MaintenanceState {
  on: boolean;
  /** The admin's words for everyone (empty: none given). */
  message: string;
  /** When it was last switched, and by whom; null before it ever was. */
  changedAt: Date | null;
  changedBy: { id: string; name: string } | null;
}

/** What `system.events` yields, as `tracked(id, event)`. */
export type SystemEvent = { type: "broadcast"; broadcast: BroadcastView } | { type: "maintenance"; maintenance: MaintenanceState };

export interface SystemStatus {
  maintenance: MaintenanceState;
  /** The caller's unread broadcasts sent since they joined, oldest first (none for a signed-out caller). */
  unread: BroadcastView[];
  /** Follow `system.events` from here: nothing between this read and the stream is missed. */
  lastEventId: string;
}

/**
 * What a refused change says while maintenance mode is on (the code is PRECONDITION_FAILED):
 * the admin's message, when there is one, follows.
 */
export function maintenanceRefusal(message: string): string {
  const base = "Pulse is in maintenance mode: changes are paused until it ends. You can still look around.";
  return message ? `${base} ${message}` : base;
}

/** An audit-log entry as the Admin page shows it. */
export interface AuditEntry {
  id: string;
  action: string;
  actor: { id: string; name: string; email: string } | null;
  /** What the action was done to: an id (a user, a session, a token, a run) or an email. */
  target: string | null;
  /** The target, when it is a person Pulse knows. */
  targetUser: { id: string; name: string; email: string } | null;
  detail: Record<string, unknown>;
  ip: string | null;
  createdAt: Date;
}

/**
 * An action filter: a whole action (`auth.signIn`), or a prefix ending in a dot (`auth.`) for
 * every action of that kind.
 */
export const isActionPrefix = (action: string) => action.endsWith(".");

/**
 * The audit log's actions Pulse writes, in words (the Admin page's filter and table). An action
 * not listed here (a newer one) still shows, by its name.
 */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  "admin.broadcast": "Broadcast sent",
  "admin.maintenanceOn": "Maintenance on",
  "admin.maintenanceOff": "Maintenance off",
  "auth.signUp": "Signed up",
  "auth.signIn": "Signed in",
  "auth.signInFailed": "Sign-in failed",
  "auth.revokeSession": "Login revoked",
  "auth.createApiToken": "API token created",
  "auth.revokeApiToken": "API token revoked",
  "users.setRole": "Role changed",
  "sessions.requestHelp": "Help requested",
  "loadTest.start": "Load test started",
  "loadTest.stop": "Load test stopped",
  "loadTest.completed": "Load test completed",
  "loadTest.stopped": "Load test ended (stopped)",
  "loadTest.failed": "Load test failed",
};

/** The groups an action filter can name by prefix, in words. */
export const AUDIT_ACTION_GROUPS: Record<string, string> = {
  "admin.": "Admin actions",
  "auth.": "Sign-ins and credentials",
  "users.": "Roles",
  "sessions.": "Help requests",
  "loadTest.": "Load tests",
};

export const auditActionLabel = (action: string) => AUDIT_ACTION_LABELS[action] ?? action;
