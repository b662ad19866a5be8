// `npm run db:generate` (and npm's postinstall): `prisma generate`, which writes the client to
// src/server/db/generated. It runs offline: the CLI insists on finding a native schema engine
// before it starts, although generating never uses one, and the real engine would have to come
// from Prisma's download host, which is unreachable here. Any existing file satisfies the check.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const duringInstall = process.env.npm_lifecycle_event === "postinstall";

function prismaCliPath(): string | undefined {
  const require = createRequire(path.join(ROOT, "package.json"));
  try {
    return require.resolve("prisma/build/index.js");
  } catch {
    return undefined;
  }
}

function main(): number {
  const cli = prismaCliPath();
  if (cli === undefined) {
    // `npm install --omit=dev` has no prisma CLI: do not fail that install, but say what is missing.
    console.error(
      "prisma-generate: the prisma CLI (a dev dependency) is not installed, so the client in src/server/db/generated " +
        "was not generated. Install dev dependencies (e.g. `npm ci --include=dev`) and run `npm run db:generate`.",
    );
    return duringInstall ? 0 : 1;
  }

  // A real engine someone configured is kept; otherwise the node binary stands in for it.
  const schemaEngine = process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath;
  const result = spawnSync(process.execPath, [cli, "generate"], {
    cwd: ROOT,
    stdio: "inherit",
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: schemaEngine,
      // No update check or telemetry: both call out to the internet.
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  });
  if (result.error) {
    console.error(`prisma-generate: could not run the prisma CLI: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

process.exit(main());
