/**
 * The inputs of `sessions.*`, validated with zod. Each kind's config and state update is its own
 * schema, so a client's types say exactly what a breathing session accepts.
 */
import { z } from "zod";
import { eventId, groupDigits, text } from "@/shared/input";
import { SESSION_KINDS, SESSION_STATUSES } from "@/shared/sessions/kinds";
import {
  BELL_MIN_INTERVAL_MS,
  BREATH_MIN_MS,
  CAPACITY_DEFAULT,
  CAPACITY_MAX,
  CAPACITY_MIN,
  CYCLES_MAX,
  CYCLES_MIN,
  DESCRIPTION_MAX_CHARS,
  DOC_UPDATE_MAX_CHARS,
  HELP_NOTE_MAX_CHARS,
  INVITE_CODE_MAX_CHARS,
  MEDITATION_DEFAULT_MS,
  MEDITATION_MAX_MS,
  MEDITATION_MIN_MS,
  MESSAGE_MAX_CHARS,
  PHASE_MAX_MS,
  STRESS_FACTOR_MAX_CHARS,
  STRESS_FACTORS_MAX,
  STRESS_LEVEL_MAX,
  STRESS_LEVEL_MIN,
  STRESS_PROMPT_MAX_CHARS,
  TITLE_MAX_CHARS,
} from "@/shared/sessions/limits";


const sessionId = z.uuid("That is not a session id.");
export { eventId };

// ── Config per kind ──────────────────────────────────────────────────────────────────

export const meditationConfig = z
  .object({
    durationMs: z
      .number()
      .int()
      .min(MEDITATION_MIN_MS, "A meditation lasts at least a minute.")
      .max(MEDITATION_MAX_MS, "A meditation lasts at most 4 hours.")
      .default(MEDITATION_DEFAULT_MS),
    /** A bell every this many ms while the timer runs (none when absent). */
    bellIntervalMs: z.number().int().min(BELL_MIN_INTERVAL_MS, "Ring the bell at most every 10 seconds.").max(MEDITATION_MAX_MS).optional(),
  })
  .strict()
  .refine((c) => c.bellIntervalMs === undefined || c.bellIntervalMs <= c.durationMs, {
    message: "The bell interval cannot be longer than the meditation.",
    path: ["bellIntervalMs"],
  });

const phaseMs = z.number().int().max(PHASE_MAX_MS, "A phase lasts at most a minute.");
export const breathingPattern = z
  .object({
    inhaleMs: phaseMs.min(BREATH_MIN_MS, "Inhale for at least half a second."),
    holdInMs: phaseMs.min(0),
    exhaleMs: phaseMs.min(BREATH_MIN_MS, "Exhale for at least half a second."),
    holdOutMs: phaseMs.min(0),
  })
  .strict();
const cycles = z.number().int().min(CYCLES_MIN, "Breathe at least one cycle.").max(CYCLES_MAX, `At most ${CYCLES_MAX} cycles.`);

export const breathingConfig = z
  .object({
    pattern: breathingPattern.default({ inhaleMs: 4_000, holdInMs: 4_000, exhaleMs: 4_000, holdOutMs: 4_000 }),
    cycles: cycles.default(10),
  })
  .strict();

export const stressConfig = z
  .object({ prompt: text().trim().max(STRESS_PROMPT_MAX_CHARS).optional() })
  .strict();

export const collaborationConfig = z.object({}).strict();

// ── Procedure inputs ─────────────────────────────────────────────────────────────────

const base = {
  title: text().trim().min(1, "Give the session a title.").max(TITLE_MAX_CHARS, `Keep the title under ${TITLE_MAX_CHARS} characters.`),
  description: text().trim().max(DESCRIPTION_MAX_CHARS, `Keep the description under ${groupDigits(DESCRIPTION_MAX_CHARS)} characters.`).optional(),
  visibility: z.enum(["public", "private"]).default("public"),
  capacity: z
    .number()
    .int()
    .min(CAPACITY_MIN, `A session has room for at least ${CAPACITY_MIN} people.`)
    .max(CAPACITY_MAX, `At most ${groupDigits(CAPACITY_MAX)} people.`)
    .default(CAPACITY_DEFAULT),
};

export const createInput = z.discriminatedUnion("kind", [
  z.object({ ...base, kind: z.literal("meditation"), config: meditationConfig.default({ durationMs: MEDITATION_DEFAULT_MS }) }).strict(),
  z.object({ ...base, kind: z.literal("breathing"), config: breathingConfig.default(breathingConfig.parse({})) }).strict(),
  z.object({ ...base, kind: z.literal("stress"), config: stressConfig.default({}) }).strict(),
  z.object({ ...base, kind: z.literal("collaboration"), config: collaborationConfig.default({}) }).strict(),
]);
export type CreateInput = z.infer<typeof createInput>;

export const listInput = z
  .object({
    kind: z.enum(SESSION_KINDS).optional(),
    status: z.enum(SESSION_STATUSES).optional(),
    cursor: sessionId.nullish(),
    limit: z.number().int().min(1).max(100).default(20),
    // Sent by tRPC's infinite queries; pages only go forward (from `nextCursor`).
    direction: z.literal("forward", { error: "Sessions page forward only: pass the previous page's nextCursor." }).optional(),
  })
  .strict()
  .default({ limit: 20 });
export type ListInput = z.infer<typeof listInput>;

export const byIdInput = z.object({ sessionId }).strict();
export const joinInput = z.object({ sessionId, inviteCode: text().trim().max(INVITE_CODE_MAX_CHARS).optional() }).strict();
export const sessionInput = z.object({ sessionId }).strict();

export const sendMessageInput = z
  .object({
    sessionId,
    text: text()
      .trim()
      .min(1, "Write something first.")
      .max(MESSAGE_MAX_CHARS, `A message is at most ${groupDigits(MESSAGE_MAX_CHARS)} characters.`),
  })
  .strict();

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * One variant per kind. Meditation has none: its timer is driven by start/pause/resume/end.
 * The session's own kind must match (a stress report to a breathing session is BAD_REQUEST).
 */
export const updateStateInput = z.discriminatedUnion("kind", [
  z
    .object({ sessionId, kind: z.literal("breathing"), pattern: breathingPattern.optional(), cycles: cycles.optional() })
    .strict()
    .refine((u) => u.pattern !== undefined || u.cycles !== undefined, { message: "Change the pattern, the cycles or both." }),
  z
    .object({
      sessionId,
      kind: z.literal("stress"),
      level: z
        .number()
        .int()
        .min(STRESS_LEVEL_MIN, `Levels go from ${STRESS_LEVEL_MIN} to ${STRESS_LEVEL_MAX}.`)
        .max(STRESS_LEVEL_MAX, `Levels go from ${STRESS_LEVEL_MIN} to ${STRESS_LEVEL_MAX}.`),
      factors: z
        .array(text().trim().toLowerCase().min(1).max(STRESS_FACTOR_MAX_CHARS, `Keep each factor under ${STRESS_FACTOR_MAX_CHARS} characters.`))
        .max(STRESS_FACTORS_MAX, `At most ${STRESS_FACTORS_MAX} factors.`)
        .optional(),
      /**
       * With a level of 8 or more: tell the others, by name, that I am having a hard time (a
       * `nudge`, never the level or factors). Off unless asked: check-ins are anonymous.
       */
      askForSupport: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      sessionId,
      kind: z.literal("collaboration"),
      update: text()
        .min(4, "The update is empty.")
        .max(DOC_UPDATE_MAX_CHARS, "The update is too large: send smaller ones.")
        .regex(base64, "The update must be base64."),
    })
    .strict(),
]);
export type UpdateStateInput = z.infer<typeof updateStateInput>;

export const historyInput = z
  .object({
    sessionId,
    /** Events older than this id (the page's `nextBefore`); the newest when absent. */
    before: eventId.optional(),
    limit: z.number().int().min(1).max(200).default(50),
    /** Only these event types; by default every type except `doc` (load the document with byId). */
    types: z.array(text().min(1).max(20)).min(1).max(12).optional(),
  })
  .strict();
export type HistoryInput = z.infer<typeof historyInput>;

export const requestHelpInput = z
  .object({ sessionId, note: text().trim().max(HELP_NOTE_MAX_CHARS, `Keep the note under ${HELP_NOTE_MAX_CHARS} characters.`).optional() })
  .strict();

/**
 * With a session id: that session's events (to its present participants). Without: the help
 * requests of every session, to admins (their "inbox"). `lastEventId` resumes either.
 */
export const eventsInput = z
  .object({ sessionId: sessionId.optional(), lastEventId: eventId.nullish() })
  .strict()
  .default({});
export type EventsInput = z.infer<typeof eventsInput>;
