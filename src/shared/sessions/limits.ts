/**
 * The limits of `sessions.*` inputs. The server's schemas enforce them; a form uses the same
 * numbers for its `maxLength`, `min` and `max` so that it refuses what the server would.
 */

export const MINUTE_MS = 60_000;

export const TITLE_MAX_CHARS = 120;
export const DESCRIPTION_MAX_CHARS = 2_000;
export const CAPACITY_MIN = 2;
export const CAPACITY_MAX = 10_000;
export const CAPACITY_DEFAULT = 50;
export const INVITE_CODE_MAX_CHARS = 64;

/** One chat message (sessions.sendMessage). */
export const MESSAGE_MAX_CHARS = 2_000;
/** The note of a help request. */
export const HELP_NOTE_MAX_CHARS = 500;
/** A Yjs update in base64; the whole request is capped by the server's body limit too. */
export const DOC_UPDATE_MAX_CHARS = 512 * 1024;

export const MEDITATION_MIN_MS = MINUTE_MS;
export const MEDITATION_MAX_MS = 240 * MINUTE_MS;
export const MEDITATION_DEFAULT_MS = 10 * MINUTE_MS;
/** The bell rings at most this often. */
export const BELL_MIN_INTERVAL_MS = 10_000;

/** Each breathing phase lasts at most this; inhale and exhale at least `BREATH_MIN_MS`, the holds may be 0. */
export const PHASE_MAX_MS = MINUTE_MS;
export const BREATH_MIN_MS = 500;
export const CYCLES_MIN = 1;
export const CYCLES_MAX = 500;

export const STRESS_PROMPT_MAX_CHARS = 200;
export const STRESS_LEVEL_MIN = 1;
export const STRESS_LEVEL_MAX = 10;
export const STRESS_FACTOR_MAX_CHARS = 40;
export const STRESS_FACTORS_MAX = 10;
/** A report at this level or above may ask the others for support (a `nudge`). */
export const NUDGE_LEVEL = 8;
