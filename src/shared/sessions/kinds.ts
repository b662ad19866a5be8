/** The four kinds of live session and the statuses a session moves through. */

export const SESSION_KINDS = ["meditation", "breathing", "stress", "collaboration"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** scheduled → live ⇄ paused → ended (ended from any of them). */
export const SESSION_STATUSES = ["scheduled", "live", "paused", "ended"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
