/**
 * What `sessions.events` yields (as `tracked(id, event)`) and `sessions.history` returns. `at` is
 * the server's time of the write.
 *
 * Presence: `joined` / `left` are explicit actions, one event each. Who is connected is batched:
 * each instance writes at most one `presence` event per session and short window, listing who
 * came online and who went offline there. A user is online while, for some instance, the last
 * presence event naming them lists them under `online` — seed a map from `byId`'s
 * `participants[].instances` and apply later `presence` events with `applyPresence` (presence.ts).
 */
import type { SessionStatus } from "./kinds";
import type { PresenceUser } from "./presence";
import type { SessionState, TimerAction } from "./state";

export type ParticipantRole = "host" | "participant";

export type SessionEvent =
  | { type: "message"; text: string; userId: string; name: string; at: Date }
  | { type: "joined"; userId: string; name: string; role: ParticipantRole; at: Date }
  | { type: "left"; userId: string; name: string; role: ParticipantRole; at: Date }
  | { type: "presence"; instance: string; online: PresenceUser[]; offline: PresenceUser[]; at: Date }
  | { type: "state"; state: SessionState; at: Date }
  | { type: "timer"; action: TimerAction; status: SessionStatus; state: SessionState; at: Date }
  | { type: "help"; priority: "high"; sessionId: string; sessionTitle: string; userId: string; name: string; note: string; at: Date }
  /** A stress report of 8 or more whose reporter asked for support: the others may reach out. Not sent to the reporter. */
  | { type: "nudge"; userId: string; name: string; text: string; at: Date }
  /** A Yjs update of the collaboration document, base64. */
  | { type: "doc"; update: string; userId: string; at: Date }
  | { type: "system"; text: string; at: Date };

export type SessionEventType = SessionEvent["type"];

/** Every event type, in no particular order (e.g. for `history`'s `types`). */
export const SESSION_EVENT_TYPES = ["message", "joined", "left", "presence", "state", "timer", "help", "nudge", "doc", "system"] as const satisfies readonly SessionEventType[];

/** The types the room's chat and activity feed shows (and reads back with `history`). */
export const FEED_EVENT_TYPES = ["message", "joined", "left", "timer", "help", "system"] as const satisfies readonly SessionEventType[];
