/**
 * Every string any procedure accepts refuses what PostgreSQL cannot store (NUL, unpaired
 * surrogates): it is built from `text()` (src/shared/input.ts), or is a zod format (uuid, email)
 * whose pattern admits neither. A new procedure with a bare `z.string()` fails here, before it
 * can answer a 500 to an odd byte. tests/integration/odd-input.test.ts sends the bytes.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAppRouter, type Services } from "@/server/trpc/router";

// Routers are made from their services; building one calls none of them.
const appRouter = createAppRouter({} as Services);
import { eventId, storableText, text } from "@/shared/input";

type Schema = z.core.$ZodType;

/** Paths (within the input) of string schemas that lack the storable-text check. */
function unguardedStrings(schema: Schema, at: string, seen = new Set<Schema>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  const walk = (child: unknown, path: string) => unguardedStrings(child as Schema, path, seen);
  switch (def.type) {
    case "string": {
      const guarded = (def.checks ?? []).includes(storableText as never) || typeof (def as { format?: string }).format === "string";
      return guarded ? [] : [at || "(input)"];
    }
    case "object":
      return Object.entries(def.shape as Record<string, Schema>).flatMap(([key, child]) => walk(child, at ? `${at}.${key}` : key));
    case "array":
      return walk(def.element, `${at}[]`);
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
      return [...walk(def.keyType, `${at}{key}`), ...walk(def.valueType, `${at}{}`)];
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
      return [];
    default:
      // An input type this walk does not know (any, unknown, custom…): say so rather than pass it.
      return [`${at || "(input)"} (a ${def.type} input: extend this walk or use a stricter schema)`];
  }
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
