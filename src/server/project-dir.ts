import fs from "node:fs";
import path from "node:path";

/**
 * The nearest folder at or above `from` that holds a package.json. Found, not counted: the
 * server runs both from its sources (src/server/…, under tsx in development and tests) and from
 * the one-file bundle in dist/server/ (`npm start`), so a fixed number of `..` fits only one.
 */
export function findProjectDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json at or above ${from}`);
  }
}

/** Pulse's root folder: package.json, prisma/, .next/, dist/. */
export const PROJECT_DIR = findProjectDir(import.meta.dirname);
