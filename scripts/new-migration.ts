// `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with
// the SQL that takes the database the existing migrations build to what prisma/schema.prisma says.
//
// "What the migrations build" is found by building it: the schema engine applies every migration to
// a shadow database and compares the result with schema.prisma, as `prisma migrate dev` does. The
// shadow database lives on a throwaway embedded PostgreSQL (or on SHADOW_DATABASE_URL's server when
// set, which must allow CREATE DATABASE), so nothing here touches a real database or the network.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/server/db/embedded.js";
import { MIGRATIONS_DIR, readMigrations } from "../src/server/db/migrate.js";
import { createLogger } from "../src/server/log.js";
import { diffSql, readSchema, SCHEMA_PATH } from "./lib/schema-diff.js";

const NAME_PATTERN = /^[a-z0-9_]+$/;

/** `YYYYMMDDHHMMSS` in UTC, the prefix `prisma migrate` uses. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/**
 * Now, unless the newest migration claims a later time (a clock behind, or a hand-made name): the
 * new one must sort after it, since migrations run in name order.
 */
function nextPrefix(existingNames: string[]): string {
  const now = timestamp(new Date());
  const newest = existingNames.map((name) => name.slice(0, 14)).filter((prefix) => /^\d{14}$/.test(prefix)).sort().at(-1);
  if (newest === undefined || now > newest) return now;
  const [year, month, day, hour, minute, second] = newest.match(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/)?.slice(1) ?? [];
  const newestTime = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
  return timestamp(new Date(newestTime + 1000));
}

/**
 * Some of the engine's steps (recreating an enum without a value) come wrapped in their own
 * BEGIN/COMMIT. Our migrator already runs each migration in one transaction, where an inner COMMIT
 * would end that transaction early and leave the rest of the file non-atomic; so they go.
 */
function withoutTransactionControl(sql: string): string {
  return sql
    .split("\n")
    .filter((line) => !/^(BEGIN|COMMIT);$/.test(line.trim()))
    .join("\n");
}

async function withShadowServer<T>(use: (serverUrl: string) => Promise<T>): Promise<T> {
  const configured = process.env.SHADOW_DATABASE_URL;
  if (configured) return use(configured);
  const log = createLogger(process.env.LOG_LEVEL ?? "warn");
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-shadow-pg-"));
  // As root the cluster runs as the `postgres` user, which must be able to enter this directory.
  await fs.chmod(directory, 0o755);
  try {
    const cluster = await startEmbeddedPostgres(path.join(directory, "data"), log);
    try {
      return await use(cluster.url);
    } finally {
      await cluster.stop();
    }
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const name = args[0];
  if (args.length !== 1 || name === undefined || !NAME_PATTERN.test(name)) {
    console.error("usage: npm run db:new-migration -- <name>   (name: lowercase letters, digits and _, e.g. add_user_avatar)");
    return 2;
  }

  const existing = await readMigrations();
  const schema = await readSchema();
  console.log(`Comparing ${path.relative(process.cwd(), SCHEMA_PATH)} with ${existing.length} migration(s)…`);
  const sql = await withShadowServer((serverUrl) =>
    diffSql({ databaseUrl: serverUrl, from: { kind: "migrations" }, to: { kind: "schema", content: schema } }),
  );
  if (sql.trim() === "") {
    console.log("schema.prisma matches the migrations: nothing to write");
    return 0;
  }

  const directoryName = `${nextPrefix(existing.map((migration) => migration.name))}_${name}`;
  const directory = path.join(MIGRATIONS_DIR, directoryName);
  await fs.mkdir(directory, { recursive: false });
  const file = path.join(directory, "migration.sql");
  const migrationSql = withoutTransactionControl(sql);
  await fs.writeFile(file, migrationSql);
  console.log(`Wrote ${path.relative(process.cwd(), file)}:\n\n${migrationSql}`);
  console.log("Review it (data-losing steps such as DROP COLUMN are written as-is), then run `npm run db:migrate`.");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
