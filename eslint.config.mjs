/**
 * ESLint: typescript-eslint's recommended rules, plus the import boundaries of
 * docs/architecture.md kept by eslint-plugin-boundaries (tests/unit/boundaries.test.ts proves
 * each boundary on fixtures). Imports are resolved through tsconfig.json by
 * eslint-import-resolver-typescript, so `../../trpc/trpc.js` and `@/server/trpc/trpc` are the
 * same dependency to the rule.
 */
import path from "node:path";
import boundaries from "eslint-plugin-boundaries";
import tseslint from "typescript-eslint";

const ROOT = import.meta.dirname;

/**
 * The parts of the code, first match wins (folders from the repository root). Files that are a
 * part of their own are told apart by path in the policies below (FEATURE_LIST, ENTRY_POINTS):
 * the plugin's elements are folders. Anything else in src/server that is neither a feature nor
 * the transport is core: a new top-level server file or folder is core until it is listed here.
 */
const ELEMENTS = [
  { type: "shared", pattern: "src/shared", partialMatch: false },
  { type: "page", pattern: ["src/app", "src/components", "src/trpc"], partialMatch: false },
  { type: "feature", pattern: "src/server/features/*", capture: ["feature"], partialMatch: false },
  { type: "transport", pattern: ["src/server/trpc", "src/server/http"], partialMatch: false },
  { type: "server", pattern: "src/server", partialMatch: false },
];

const FEATURE_LIST = "src/server/features/index.ts";
/** The process entry and start-up wire everything together: they are transport. */
const ENTRY_POINTS = ["src/server/start.ts", "src/server/main.ts", "src/server/worker.ts"];

const shared = { element: { type: "shared" } };
const page = { element: { type: "page" } };
const feature = { element: { type: "feature" } };
const featureRouter = { element: { type: "feature" }, file: { path: "src/server/features/*/router.ts" } };
const featureList = { element: { type: "server" }, file: { path: FEATURE_LIST } };
const transport = [{ element: { type: "transport" } }, { element: { type: "server" }, file: { path: ENTRY_POINTS } }];
const core = { element: { type: "server" }, file: { path: `!{${[FEATURE_LIST, ...ENTRY_POINTS].join(",")}}` } };
const server = [{ element: { types: ["feature", "transport", "server"] } }];

/** Packages that only the browser side has. */
const BROWSER_ONLY = ["react", "react-dom", "next"];

/**
 * Evaluated in order, a later match overriding an earlier one; anything no policy disallows
 * is allowed. Imports within one element are checked too (checkInternals), because core, the
 * feature list and the entry points share the catch-all "server" element.
 */
const POLICIES = [
  {
    from: shared,
    disallow: { to: { element: { type: "!shared" } } },
    message:
      "src/shared runs in the browser and on the server: it may import only src/shared. Move what you need into src/shared, or keep this code on its own side.",
  },
  {
    from: shared,
    disallow: { to: { module: { origin: "core" } } },
    message:
      "src/shared runs in the browser too: no Node built-in modules ({{dependency.source}}). Keep Node-only code in src/server.",
  },
  {
    from: shared,
    disallow: { to: { module: { origin: "external", source: BROWSER_ONLY } } },
    message:
      "src/shared runs on the server too: no React or Next ({{dependency.source}}). Put components and hooks in src/components.",
  },
  {
    from: page,
    disallow: { to: server },
    message:
      "Pages reach the server only through tRPC: do not import src/server ({{dependency.source}}). Call a procedure with the client from src/trpc; put values both sides need in src/shared. Only `import type { AppRouter }` from src/server/trpc/router is allowed.",
  },
  {
    from: page,
    allow: { to: { element: { type: "transport" }, file: { path: "src/server/trpc/router.ts" } }, dependency: { kind: "type" } },
  },
  {
    from: server,
    disallow: { to: page },
    message:
      "The server does not import pages, components or the browser client ({{dependency.source}}): put what both sides need in src/shared.",
  },
  {
    from: [feature, featureList],
    disallow: { to: transport },
    message:
      "A feature's service and module must not import the transport (src/server/trpc, src/server/http): return a description (a result, a stream description) or throw AppError, and let the transport act on it (only router.ts may use the procedure builders of src/server/trpc/trpc).",
  },
  {
    from: featureRouter,
    disallow: { to: transport },
    message:
      "A feature's router.ts may import from the transport only the procedure builders (src/server/trpc/trpc): subscriptions, wire formats and sockets belong to the transport. Return a stream description from the service and deliver it with live() from src/server/trpc/trpc.",
  },
  {
    from: featureRouter,
    allow: { to: { element: { type: "transport" }, file: { path: "src/server/trpc/trpc.ts" } } },
  },
  {
    from: [feature, featureList],
    disallow: { to: feature },
    message:
      "A feature may use another feature only through its service.ts or index.ts ({{dependency.source}} is one of its internals): import what you need from src/server/features/<name>/service (or its index.ts), and export it there.",
  },
  {
    from: [feature, featureList],
    allow: { to: { element: { type: "feature" }, file: { path: ["src/server/features/*/index.ts", "src/server/features/*/service.ts"] } } },
  },
  {
    from: feature,
    allow: { to: feature, dependency: { relationship: { to: "internal" } } },
  },
  {
    from: core,
    disallow: { to: [feature, featureList, ...transport] },
    message:
      "The core (db, bus, metrics, config, log, core/) is used by features and the transport, never the reverse: do not import {{dependency.source}}. Take what you need as a parameter, or let the feature or the transport register a hook.",
  },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".next/",
      "dist/",
      ".data/",
      "src/server/db/generated/",
      "test-results/",
      "playwright-report/",
      "next-env.d.ts",
      // Deliberately wrong imports, linted only by tests/unit/boundaries.test.ts.
      "tests/fixtures/",
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.{ts,tsx,mts,mjs}"],
    plugins: { boundaries },
    settings: {
      "boundaries/root-path": ROOT,
      "boundaries/elements": ELEMENTS,
      "boundaries/include": ["src/**/*"],
      // Re-exports and import() cross a boundary as much as an import does.
      "boundaries/dependency-nodes": ["import", "export", "dynamic-import"],
      "boundaries/legacy-templates": false,
      "import/resolver": {
        typescript: { project: path.join(ROOT, "tsconfig.json"), alwaysTryTypes: false },
      },
    },
    rules: {
      "boundaries/dependencies": ["error", { default: "allow", checkAllOrigins: true, checkInternals: true, policies: POLICIES }],
    },
  },
);
