/**
 * The building blocks of every input schema, on both sides (the server validates with them; a
 * form may too). Every string a procedure accepts is built from `text()` (or is a zod format such
 * as `z.uuid()`), so the characters PostgreSQL cannot store are refused once, here, with the
 * field named, instead of failing in the database as a 500. tests/unit/input-schemas.test.ts
 * walks every procedure's input and fails on a string built any other way.
 */
import { z } from "zod";

// In the browser, zod must not probe whether it may compile parsers with `new Function`: the
// pages' Content-Security-Policy forbids it, and the probe, though caught, is reported as a
// violation. The server keeps the compiled parsers (faster). Every schema is built from this
// module, so this runs before any of them parses.
if (typeof window !== "undefined") z.config({ jitless: true });

/**
 * Refuses what PostgreSQL rejects in `text` and `jsonb`: the NUL character, and UTF-16 that is
 * not well formed (an unpaired surrogate such as "\ud800", which has no UTF-8 encoding).
 */
export const storableText = z.superRefine((value: string, ctx) => {
  if (value.includes("\0")) ctx.addIssue({ code: "custom", message: "Remove the NUL character (\\0): it cannot be stored." });
  else if (!value.isWellFormed()) ctx.addIssue({ code: "custom", message: "This text has a broken character (an unpaired surrogate)." });
});

/** A string input: refine it further (`.trim().min(1).max(80)`) as the field needs. */
export function text(): z.ZodString {
  return z.string().check(storableText);
}

/** The largest id a PostgreSQL `bigint` (an event log's sequence) can hold. */
export const MAX_EVENT_ID = 2n ** 63n - 1n;

/** An event id: the decimal string of an event log's sequence number. */
export const eventId = text()
  .max(19, "An event id is a decimal number.")
  .regex(/^\d{1,19}$/, "An event id is a decimal number.")
  // Checks all run: only a string of digits reaches BigInt.
  .refine((id) => !/^\d+$/.test(id) || BigInt(id) <= MAX_EVENT_ID, `An event id is at most ${MAX_EVENT_ID}.`);

/**
 * A whole number with its thousands grouped ("10,000"), as `toLocaleString("en")` writes it, for
 * the limits that schemas state at module load: `toLocaleString` there pulled ICU's locale data
 * (about 6 MB of the server's resident memory) into every process at start, for four messages.
 */
export function groupDigits(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
