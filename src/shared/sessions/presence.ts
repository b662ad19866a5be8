/**
 * Who is online in a session, folded from its `presence` events. Each instance writes, per
 * session and short window, one event listing who came online and who went offline there; a
 * user is online while, for some instance, the last presence event naming them lists them under
 * `online`. The server (byId's seed, tests, benchmarks) and the room page fold with this one rule.
 */

/** A user as a presence event lists them. */
export interface PresenceUser {
  userId: string;
  name: string;
}

/** The shape of a `presence` event, as far as deriving who is online needs it. */
export interface PresenceBatch {
  instance: string;
  online: readonly PresenceUser[];
  offline: readonly PresenceUser[];
}

/**
 * Applies one presence event to a map of user id → instances where the user is online (seed it
 * from `sessions.byId`'s `participants[].instances`, then apply every later `presence` event in
 * order), in place. A user is online while their set is not empty; an empty set is removed.
 */
export function applyPresence(online: Map<string, Set<string>>, event: PresenceBatch): Map<string, Set<string>> {
  for (const { userId } of event.online) {
    let instances = online.get(userId);
    if (!instances) online.set(userId, (instances = new Set()));
    instances.add(event.instance);
  }
  for (const { userId } of event.offline) {
    const instances = online.get(userId);
    instances?.delete(event.instance);
    if (instances?.size === 0) online.delete(userId);
  }
  return online;
}

/**
 * `applyPresence` for immutable state (a React reducer's): user id → instances as a plain
 * record. Returns a new record; the one given is left as it was.
 */
export function withPresence(online: Readonly<Record<string, string[]>>, event: PresenceBatch): Record<string, string[]> {
  const named = [...event.online, ...event.offline].map((user) => user.userId);
  const touched = new Map<string, Set<string>>();
  for (const userId of named) {
    const instances = online[userId];
    if (instances) touched.set(userId, new Set(instances));
  }
  applyPresence(touched, event);
  const next = { ...online };
  for (const userId of named) {
    const instances = touched.get(userId);
    if (instances) next[userId] = [...instances];
    else delete next[userId];
  }
  return next;
}
