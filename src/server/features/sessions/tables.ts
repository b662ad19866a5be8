/**
 * The sessions feature's tables as its raw SQL names them, in one place (Prisma's queries name
 * the models instead). The names are quoted identifiers from prisma/schema.prisma; a renamed
 * table or column is changed here and in a migration, nowhere else.
 */

export const SESSION = `"LiveSession"`;
export const PARTICIPANT = `"SessionParticipant"`;
export const EVENT = `"SessionEvent"`;
export const HELP_REQUEST = `"SessionHelpRequest"`;
export const DOC = `"SessionDoc"`;
/** Not the feature's own: a help request writes its audit row in the same transaction. */
export const AUDIT_LOG = `"AuditLog"`;

/** A session row's columns, as `SessionRow` (rows.ts) holds them; `alias` prefixes each with a table alias. */
export const sessionColumns = (alias: string) =>
  ["id", "kind", "title", "description", '"hostId"', "visibility", '"inviteCode"', "capacity", "status", "config", "state", '"createdAt"', '"startedAt"', '"endedAt"']
    .map((column) => `${alias}.${column}`)
    .join(", ");

/** A participant row's columns, as `ParticipantRow` (rows.ts) holds them. */
export const PARTICIPANT_COLUMNS = ["id", '"sessionId"', '"userId"', "name", "role", '"joinedAt"', '"leftAt"', '"stressLevel"', '"stressFactors"', '"reportedAt"'];
