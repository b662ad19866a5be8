/**
 * The import boundaries of eslint.config.mjs (docs/architecture.md), proved on virtual sources:
 * each forbidden import is reported and each allowed one is not, written relative
 * (`../../trpc/trpc.js`) and with the alias (`@/server/trpc/trpc`). The sources are linted as
 * if they were files under tests/fixtures/boundaries/, a miniature of the layout whose stubs
 * give the imports something to resolve to; the rules are the repository's own config.
 */
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURE = path.join(ROOT, "tests/fixtures/boundaries");

const eslint = new ESLint({
  cwd: FIXTURE,
  overrideConfigFile: path.join(ROOT, "eslint.config.mjs"),
  // The same rules, with the layout rooted in the fixture instead of the repository.
  overrideConfig: {
    settings: {
      "boundaries/root-path": FIXTURE,
      "import/resolver": { typescript: { project: path.join(FIXTURE, "tsconfig.json") } },
    },
  },
});

/** What the boundary rule says about `source` as the file `file` (relative to src/). */
async function boundaryMessages(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(FIXTURE, "src", file) });
  if (!result) throw new Error("ESLint returned no result");
  // A parse error or an ignored file would pass every "allowed" case silently.
  const other = result.messages.filter((m) => m.ruleId !== "boundaries/dependencies");
  expect(other, `unexpected messages for ${file}`).toEqual([]);
  return result.messages.map((m) => m.message);
}

/** The two spellings of an import of `target` (a file under src/, without extension) from `from`. */
function specifiers(from: string, target: string): { relative: string; alias: string } {
  let relative = path.posix.relative(path.posix.dirname(from), target);
  if (!relative.startsWith(".")) relative = `./${relative}`;
  return { relative: `${relative}.js`, alias: `@/${target}` };
}

type Case = { from: string; to: string; typeOnly?: boolean; why: string };

/** Each must be reported, in both spellings. */
const FORBIDDEN: (Case & { says: string })[] = [
  { from: "app/sessions/page.tsx", to: "server/db/index", why: "a page imports the database", says: "through tRPC" },
  { from: "components/RoomView.tsx", to: "server/features/auth/service", why: "a component imports a service", says: "through tRPC" },
  { from: "trpc/client.ts", to: "server/trpc/router", why: "a page imports the app router as a value", says: "import type" },
  { from: "app/page.tsx", to: "server/trpc/trpc", typeOnly: true, why: "a page imports types other than AppRouter's module", says: "through tRPC" },
  { from: "server/features/auth/service.ts", to: "server/trpc/sockets", why: "a service imports the tRPC layer", says: "AppError" },
  { from: "server/features/health/service.ts", to: "server/http/metrics", why: "a service imports the HTTP layer", says: "AppError" },
  { from: "server/features/auth/index.ts", to: "server/trpc/trpc", why: "a feature's module imports the procedure builders", says: "router.ts" },
  { from: "server/features/users/router.ts", to: "server/trpc/sockets", why: "a router imports transport beyond the procedure builders", says: "only the procedure builders" },
  { from: "server/features/index.ts", to: "server/http/metrics", why: "the feature list imports the transport", says: "AppError" },
  { from: "server/features/users/service.ts", to: "server/features/auth/tokens", why: "a feature imports another feature's internals", says: "service.ts or index.ts" },
  { from: "server/features/sessions/router.ts", to: "server/features/auth/tokens", typeOnly: true, why: "a feature imports another's internals for a type", says: "service.ts or index.ts" },
  { from: "server/features/index.ts", to: "server/features/auth/tokens", why: "the feature list imports a feature's internals", says: "service.ts or index.ts" },
  { from: "server/db/index.ts", to: "server/features/auth/index", why: "the core imports a feature", says: "never the reverse" },
  { from: "server/bus/bus.ts", to: "server/trpc/sockets", why: "the core imports the tRPC layer", says: "never the reverse" },
  { from: "server/config.ts", to: "server/http/metrics", why: "the core imports the HTTP layer", says: "never the reverse" },
  { from: "server/core/feature.ts", to: "server/features/index", typeOnly: true, why: "the core imports the feature list, even for a type", says: "never the reverse" },
  { from: "server/metrics/index.ts", to: "server/start", why: "the core imports the process entry", says: "never the reverse" },
  { from: "server/features/auth/service.ts", to: "components/errors", why: "a service imports a component's module", says: "src/shared" },
  { from: "server/http/server.ts", to: "trpc/client", why: "the transport imports the browser client", says: "src/shared" },
  { from: "shared/limits.ts", to: "server/config", why: "shared code imports the server", says: "only src/shared" },
  { from: "shared/paths.ts", to: "server/trpc/router", typeOnly: true, why: "shared code imports a server type", says: "only src/shared" },
];

/** None may be reported, in either spelling. */
const ALLOWED: Case[] = [
  { from: "trpc/client.ts", to: "server/trpc/router", typeOnly: true, why: "the AppRouter type is the public contract" },
  { from: "app/page.tsx", to: "shared/limits", why: "pages use shared values" },
  { from: "server/features/auth/router.ts", to: "server/trpc/trpc", why: "a router uses the procedure builders" },
  { from: "server/features/sessions/service.ts", to: "server/features/auth/index", why: "a feature uses another's public index" },
  { from: "server/features/users/service.ts", to: "server/features/auth/service", why: "a feature uses another's service (DESIGN.md)" },
  { from: "server/features/auth/service.ts", to: "server/features/auth/index", why: "a feature's files import each other" },
  { from: "server/features/index.ts", to: "server/features/auth/index", why: "the feature list names each feature" },
  { from: "server/features/auth/service.ts", to: "server/db/index", why: "a feature uses the core" },
  { from: "server/features/auth/service.ts", to: "shared/limits", why: "a feature uses shared values" },
  { from: "server/bus/bus.ts", to: "server/config", why: "the core uses the core" },
  { from: "server/trpc/router.ts", to: "server/features/index", why: "the transport mounts the features" },
  { from: "server/http/server.ts", to: "server/trpc/trpc", why: "the transport uses the transport" },
  { from: "server/start.ts", to: "server/features/auth/service", why: "the process entry may import anything in src/server" },
  { from: "server/main.ts", to: "server/http/metrics", why: "the process entry may import anything in src/server" },
  { from: "shared/paths.ts", to: "shared/limits", why: "shared code uses shared code" },
];

function sourceOf(c: Case, specifier: string): string {
  return c.typeOnly
    ? `import type { stub } from "${specifier}";\nexport type Stub = typeof stub;\n`
    : `import { stub } from "${specifier}";\nexport const copy = stub;\n`;
}

describe("import boundaries (eslint.config.mjs)", () => {
  for (const c of FORBIDDEN) {
    for (const form of ["relative", "alias"] as const) {
      it(`reports ${c.why} (${form})`, async () => {
        const specifier = specifiers(c.from, c.to)[form];
        const messages = await boundaryMessages(c.from, sourceOf(c, specifier));
        expect(messages, `${specifier} from ${c.from}`).toHaveLength(1);
        expect(messages[0]).toContain(c.says);
      });
    }
  }

  for (const c of ALLOWED) {
    for (const form of ["relative", "alias"] as const) {
      it(`allows ${c.why} (${form})`, async () => {
        const specifier = specifiers(c.from, c.to)[form];
        expect(await boundaryMessages(c.from, sourceOf(c, specifier)), `${specifier} from ${c.from}`).toEqual([]);
      });
    }
  }

  it("allows a feature's public index imported as its folder", async () => {
    for (const specifier of ["../auth", "../auth/index.js", "@/server/features/auth"]) {
      const source = `import { stub } from "${specifier}";\nexport const copy = stub;\n`;
      expect(await boundaryMessages("server/features/users/service.ts", source), specifier).toEqual([]);
    }
  });

  it("checks re-exports and dynamic imports as imports", async () => {
    for (const source of [
      'export { stub } from "../../trpc/sockets.js";\n',
      'export * from "@/server/trpc/sockets";\n',
      'export async function load() {\n  return (await import("@/server/trpc/sockets")).stub;\n}\n',
    ]) {
      expect(await boundaryMessages("server/features/auth/service.ts", source), source).toHaveLength(1);
    }
  });

  it("keeps Node built-ins and React out of src/shared", async () => {
    const cases = {
      'import { createHash } from "node:crypto";': "Node built-in",
      'import fs from "fs";': "Node built-in",
      'import { useState } from "react";': "React",
      'import Link from "next/link";': "React",
    };
    for (const [line, says] of Object.entries(cases)) {
      const messages = await boundaryMessages("shared/limits.ts", `${line}\nexport const used = [${line.match(/import \{? ?(\w+)/)?.[1]}];\n`);
      expect(messages, line).toHaveLength(1);
      expect(messages[0]).toContain(says);
    }
    expect(await boundaryMessages("shared/input.ts", 'import { z } from "zod";\nexport const s = z.string();\n')).toEqual([]);
  });
});
