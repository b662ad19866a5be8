/**
 * The production server as plain ES modules: src/server/main.ts and everything it imports
 * (the generated Prisma client included) compiled by esbuild into dist/server/main.js (plus
 * chunks for what loads on first use), which
 * `npm start` runs with plain `node`, with no TypeScript loader between npm and the server.
 * Packages stay in node_modules, loaded by Node as in development (Next, pino's transports and
 * Prisma's runtime find their own files there).
 *
 *   node scripts/build-server.mjs     # the second half of `npm run build`
 *
 * Plain JavaScript: scripts/start.mjs imports it to build a missing bundle before any
 * TypeScript can run.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "..");
export const SERVER_BUNDLE = path.join(ROOT, "dist/server/main.js");
// esbuild's record of the files that went into the bundle, to tell when it is out of date.
const METAFILE = path.join(ROOT, "dist/server/meta.json");

export async function buildServer() {
  // Loaded only to build: a server started from an up-to-date bundle never loads esbuild.
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    // The load-test generator runs as a child process of its own (features/load-tests/runner/process.ts).
    entryPoints: { main: "src/server/main.ts", "load-test-runner": "src/server/features/load-tests/runner/child.ts" },
    outdir: path.dirname(SERVER_BUNDLE),
    // What the server imports only on first use (the file renderers, the page capture) goes into
    // chunks of its own, so their packages load then too, not at start.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    packages: "external",
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
  });
  fs.writeFileSync(METAFILE, JSON.stringify({ inputs: Object.keys(result.metafile.inputs) }));
}

/** Missing, or older than a file it was built from (a pull or an edit since the last build). */
export function serverBundleIsStale() {
  let builtAt;
  let inputs;
  try {
    builtAt = fs.statSync(SERVER_BUNDLE).mtimeMs;
    inputs = JSON.parse(fs.readFileSync(METAFILE, "utf8")).inputs;
  } catch {
    return true;
  }
  return inputs.some((input) => {
    try {
      return fs.statSync(path.join(ROOT, input)).mtimeMs > builtAt;
    } catch {
      return true; // a source that is gone: the import graph changed
    }
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await buildServer();
  console.log(`Server bundle: ${path.relative(ROOT, SERVER_BUNDLE)}`);
}
