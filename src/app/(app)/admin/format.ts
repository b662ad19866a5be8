import type { AuditEntry } from "@/shared/system";

/** An entry's details in one line: `key: value` pairs, nested values as JSON. */
export function detailLine(detail: AuditEntry["detail"]): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" · ");
}

/** What an action was done to, in words: the person when Pulse knows them, else the id or email as stored. */
export function targetLine(entry: Pick<AuditEntry, "target" | "targetUser">): string {
  if (entry.targetUser) return entry.targetUser.name || entry.targetUser.email;
  return entry.target ?? "—";
}
