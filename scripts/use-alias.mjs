/**
 * One-off: rewrites every import that climbs out of its folder into src/ (`../../server/db/index.js`,
 * `../../src/trpc/client`) into the `@/` alias of tsconfig.json (`@/server/db/index`,
 * `@/trpc/client`), in src/, tests/, bench/ and examples/. Run once when the layout has settled,
 * then delete this script: from then on the alias is written by hand.
 *
 *   node scripts/use-alias.mjs            # rewrite, and list the files changed
 *   node scripts/use-alias.mjs --check    # list what would change, and exit 1 if anything would
 *
 * - `./sibling` imports stay as they are (they do not climb); so do `../` imports that land outside
 *   src/ (tests/helpers, package.json), which the alias cannot name.
 * - A converted specifier loses its `.js`/`.ts`/`.tsx` extension: every `@/` import is written
 *   without one (tsconfig's "bundler" resolution, Next, tsx, esbuild, Vitest and Playwright all
 *   resolve it). Other extensions (`.css`, `.json`) are kept.
 * - Specifiers are found by TypeScript's parser, not by a pattern over the text: imports,
 *   `export … from`, `import()`, `import("…")` types, and the first argument of
 *   vi.mock/vi.importActual/vi.doMock. Strings and comments that mention a path are left alone.
 * - Idempotent: a second run changes nothing (an `@/` specifier does not start with `../`).
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(import.meta.dirname, "..");
const SRC = path.join(ROOT, "src");
const FOLDERS = ["src", "tests", "bench", "examples"];
/** Written by tools, not by people. */
const SKIP = [path.join(SRC, "server/db/generated"), path.join(ROOT, "tests/fixtures")];
const MOCKERS = new Set(["mock", "doMock", "unmock", "doUnmock", "importActual", "importMock"]);

function* sourceFiles(dir) {
  if (!fs.existsSync(dir) || SKIP.includes(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") yield* sourceFiles(full);
    } else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      yield full;
    }
  }
}

/** The string literals of `source` that name a module. */
function moduleSpecifiers(file, text) {
  const kind = file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      found.push(node.moduleSpecifier);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      found.push(node.argument.literal);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isMocker =
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        callee.expression.text === "vi" &&
        MOCKERS.has(callee.name.text);
      if (isDynamicImport || isMocker) found.push(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((node) => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node));
}

/** The `@/` form of `specifier` imported from `file`, or null to leave it. */
function aliased(file, specifier) {
  if (!specifier.startsWith("../")) return null;
  const target = path.resolve(path.dirname(file), specifier);
  const inSrc = path.relative(SRC, target);
  if (inSrc.startsWith("..") || path.isAbsolute(inSrc) || inSrc === "") return null;
  return `@/${inSrc.split(path.sep).join("/").replace(/\.(js|jsx|ts|tsx)$/, "")}`;
}

const check = process.argv.includes("--check");
const changed = [];
for (const folder of FOLDERS) {
  for (const file of sourceFiles(path.join(ROOT, folder))) {
    const text = fs.readFileSync(file, "utf8");
    // Replace from the end so that earlier offsets stay valid.
    const edits = moduleSpecifiers(file, text)
      .map((node) => ({ node, to: aliased(file, node.text) }))
      .filter((edit) => edit.to !== null)
      .sort((a, b) => b.node.getStart() - a.node.getStart());
    if (edits.length === 0) continue;
    let next = text;
    for (const { node, to } of edits) {
      const quote = next[node.getStart()];
      next = `${next.slice(0, node.getStart())}${quote}${to}${quote}${next.slice(node.getEnd())}`;
    }
    changed.push(`${path.relative(ROOT, file)} (${edits.length})`);
    if (!check) fs.writeFileSync(file, next);
  }
}

console.log(changed.length ? changed.join("\n") : "Nothing to rewrite.");
if (check && changed.length) process.exitCode = 1;
