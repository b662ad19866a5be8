/**
 * Every string any procedure accepts refuses what PostgreSQL cannot store (NUL, unpaired
 * surrogates): it is built from `text()` (src/shared/input.ts), or is a zod format (uuid, email)
 * whose pattern admits neither. A new procedure with a bare `z.string()` fails here, before it
 * can answer a 500 to an odd byte. tests/integration/odd-input.test.ts sends the bytes.
 *
 * And every input is bounded: each string and array has a largest length, each object is
 * `.strict()` (unknown keys are refused, not silently dropped), and there are no records.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAppRouter, type Services } from "@/server/trpc/router";

// Routers are made from their services; building one calls none of them.
const appRouter = createAppRouter({} as Services);
import { eventId, storableText, text } from "@/shared/input";

type Schema = z.core.$ZodType;
type Def = z.core.$ZodTypeDef & Record<string, unknown>;

/**
 * Visits every schema inside an input, calling `leaf` for strings, arrays and objects with the
 * path (within the input) where they are; returns what `leaf` found, and an entry for every
 * schema kind the walk does not know (any, unknown, custom…), rather than passing it.
 */
function walkInput(schema: Schema, at: string, leaf: (def: Def, at: string) => string[], seen = new Set<Schema>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = schema._zod.def as Def;
  const walk = (child: unknown, path: string) => walkInput(child as Schema, path, leaf, seen);
  switch (def.type) {
    case "string":
      return leaf(def, at || "(input)");
    case "object":
      return [
        ...leaf(def, at || "(input)"),
        ...Object.entries(def.shape as Record<string, Schema>).flatMap(([key, child]) => walk(child, at ? `${at}.${key}` : key)),
      ];
    case "array":
      return [...leaf(def, at || "(input)"), ...walk(def.element, `${at}[]`)];
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return walk(def.innerType, at);
    case "union":
      return (def.options as Schema[]).flatMap((option) => walk(option, at));
    case "intersection":
      return [...walk(def.left, at), ...walk(def.right, at)];
    case "pipe":
      return [...walk(def.in, at), ...walk(def.out, at)];
    case "record":
      return [...leaf(def, at || "(input)"), ...walk(def.keyType, `${at}{key}`), ...walk(def.valueType, `${at}{}`)];
    case "tuple":
      return [...(def.items as Schema[]).flatMap((item, index) => walk(item, `${at}[${index}]`)), ...(def.rest ? walk(def.rest, `${at}[]`) : [])];
    case "lazy":
      return walk((def.getter as () => Schema)(), at);
    case "number":
    case "boolean":
    case "bigint":
    case "enum":
    case "literal":
    case "date":
    case "null":
    case "undefined":
    case "void":
    case "transform":
    case "never":
      return [];
    default:
      return [`${at || "(input)"} (a ${def.type} input: extend this walk or use a stricter schema)`];
  }
}

/** Paths (within the input) of string schemas that lack the storable-text check. */
function unguardedStrings(schema: Schema, at: string): string[] {
  return walkInput(schema, at, (def, path) => {
    if (def.type !== "string") return [];
    const guarded = (def.checks ?? []).includes(storableText as never) || typeof (def as { format?: string }).format === "string";
    return guarded ? [] : [path];
  });
}

/** A check's kind in zod 4 (`max_length`, `length_equals`, …). */
const checkKinds = (def: Def) => ((def.checks ?? []) as { _zod: { def: { check: string } } }[]).map((check) => check._zod.def.check);
const bounded = (def: Def) => checkKinds(def).some((kind) => kind === "max_length" || kind === "length_equals");
/** Formats whose pattern fixes their length. */
const FIXED_LENGTH_FORMATS = new Set(["uuid", "guid"]);

/**
 * What an input must not accept, so that no request can make the server hold, store or walk more
 * than a field needs: a string or array without a largest length, an object that lets unknown
 * keys through (not `.strict()`), a record (any number of keys, whatever their names).
 */
function unboundedInputs(schema: Schema, at: string): string[] {
  return walkInput(schema, at, (def, path) => {
    switch (def.type) {
      case "string":
        return bounded(def) || FIXED_LENGTH_FORMATS.has(String(def.format)) ? [] : [`${path}: a string without .max()`];
      case "array":
        return bounded(def) ? [] : [`${path}: an array without .max()`];
      case "object":
        return (def.catchall as Schema | undefined)?._zod.def.type === "never" ? [] : [`${path}: an object that is not .strict()`];
      case "record":
        return [`${path}: a record (any keys): list the keys in a strict object`];
      default:
        return [];
    }
  });
}

describe("every procedure's string inputs refuse what PostgreSQL cannot store", () => {
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { inputs: Schema[] } }>);

  it("finds the procedures and their inputs", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(30);
    expect(procedures.filter(([, procedure]) => procedure._def.inputs.length > 0).length).toBeGreaterThan(20);
  });

  it.each(procedures.map(([path]) => [path]))("%s", (path) => {
    const procedure = procedures.find(([name]) => name === path)![1];
    const unguarded = procedure._def.inputs.flatMap((input) => unguardedStrings(input, ""));
    expect(unguarded).toEqual([]);
  });

  it("the walk itself notices a bare string, nested or not", () => {
    const schema = z.object({ a: text(), b: z.array(z.object({ c: z.string().optional() })), d: z.uuid() });
    expect(unguardedStrings(schema, "")).toEqual(["b[].c"]);
  });

  it("text() and eventId refuse NUL, unpaired surrogates and ids beyond 64 bits", () => {
    expect(text().safeParse("a\0b").error?.issues[0]?.message).toMatch(/NUL/);
    expect(text().safeParse("\ud800x").error?.issues[0]?.message).toMatch(/unpaired surrogate/);
    expect(text().safeParse("café 👋").success).toBe(true);
    expect(eventId.safeParse("9223372036854775807").success).toBe(true);
    expect(eventId.safeParse("9223372036854775808").error?.issues[0]?.message).toMatch(/at most/);
    expect(eventId.safeParse("99999999999999999999").success).toBe(false);
    expect(eventId.safeParse("12a").error?.issues.map((issue) => issue.message)).toEqual(["An event id is a decimal number."]);
  });
});

describe("every procedure's inputs are bounded and refuse unknown keys", () => {
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { inputs: Schema[] } }>);

  it.each(procedures.map(([path]) => [path]))("%s", (path) => {
    const procedure = procedures.find(([name]) => name === path)![1];
    expect(procedure._def.inputs.flatMap((input) => unboundedInputs(input, ""))).toEqual([]);
  });

  it("the walk itself notices an unbounded string or array, a loose object and a record, nested or not", () => {
    const schema = z
      .object({
        a: text().max(10),
        b: z.array(z.object({ c: text(), d: z.uuid(), e: z.email() }).strict()).max(5),
        f: z.array(text().max(3)),
        g: z.object({ h: z.number() }),
        i: z.record(text().max(5), z.number()),
        j: z.discriminatedUnion("kind", [z.object({ kind: z.literal("x"), k: text().length(2) }).strict(), z.object({ kind: z.literal("y") }).strict()]),
      })
      .strict();
    expect(unboundedInputs(schema, "")).toEqual([
      "b[].c: a string without .max()",
      "b[].e: a string without .max()",
      "f: an array without .max()",
      "g: an object that is not .strict()",
      "i: a record (any keys): list the keys in a strict object",
    ]);
    expect(unboundedInputs(z.object({ a: text().max(1) }), "")).toEqual(["(input): an object that is not .strict()"]);
  });
});
