import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { diffSql, readSchema } from "../../scripts/lib/schema-diff";
import { migrate, MigrationError, MIGRATIONS_DIR, readMigrations } from "@/server/db/migrate";
import { createLogger } from "@/server/log";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const log = createLogger("silent");

async function withDatabase<T>(use: (database: TestDatabase) => Promise<T>): Promise<T> {
  const database = await createTestDatabase();
  try {
    return await use(database);
  } finally {
    await database.drop();
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function withMigrationsCopy<T>(use: (directory: string) => Promise<T>): Promise<T> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-migrations-"));
  try {
    await fs.cp(MIGRATIONS_DIR, directory, { recursive: true });
    return await use(directory);
  } finally {
    await fs.rm(directory, { recursive: true, force: true });
  }
}

/**
 * Everything schema.prisma can describe about the `public` schema, one line per fact, sorted.
 * Deliberately left out: column order (a column added by a later migration comes last, which no
 * schema can express), PostgreSQL 18's NOT NULL constraint names (nullability is compared per
 * column), and what schema.prisma cannot describe anyway (functions, triggers, views).
 */
const CATALOG_FACTS = `
  WITH tbl AS (
    SELECT c.oid, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
  )
  SELECT format('table %I', relname) AS fact FROM tbl
  UNION ALL
  SELECT format('column %I.%I %s%s%s%s%s%s', tbl.relname, a.attname,
           format_type(a.atttypid, a.atttypmod),
           CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END,
           coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''),
           CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END,
           CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' || a.attgenerated::text ELSE '' END,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ' COLLATE ' || co.collname ELSE '' END)
  FROM tbl
  JOIN pg_attribute a ON a.attrelid = tbl.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  UNION ALL
  SELECT format('index %s', indexdef) FROM pg_indexes
  WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'
  UNION ALL
  SELECT format('constraint %I on %I: %s', con.conname, tbl.relname, pg_get_constraintdef(con.oid))
  FROM pg_constraint con JOIN tbl ON tbl.oid = con.conrelid
  WHERE con.contype <> 'n'
  UNION ALL
  -- Labels sorted: Prisma's diff adds a new enum value at the end whatever its place in the schema.
  SELECT format('enum %I (%s)', t.typname, string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumlabel))
  FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
  JOIN pg_enum e ON e.enumtypid = t.oid
  WHERE n.nspname = 'public'
  GROUP BY t.typname
  UNION ALL
  SELECT format('sequence %I %s start %s increment %s min %s max %s%s', sequencename, data_type,
           start_value, increment_by, min_value, max_value, CASE WHEN cycle THEN ' cycle' ELSE '' END)
  FROM pg_sequences WHERE schemaname = 'public' AND sequencename NOT LIKE '\\_prisma\\_migrations%'
  UNION ALL
  SELECT format('extension %I', extname) FROM pg_extension WHERE extname <> 'plpgsql'
`;

async function catalogFacts(url: string): Promise<string[]> {
  const { rows } = await withClient(url, (client) => client.query<{ fact: string }>(CATALOG_FACTS));
  return rows.map((row) => row.fact).sort();
}

describe("migrations and schema.prisma", () => {
  it("build the same database", async () => {
    await withDatabase(async (migrated) =>
      withDatabase(async (fromSchema) => {
        await migrate(migrated.url, log);
        // What `prisma db push` would create: the engine's script from nothing to schema.prisma.
        const createFromSchema = await diffSql({
          databaseUrl: fromSchema.url,
          from: { kind: "empty" },
          to: { kind: "schema", content: await readSchema() },
        });
        await withClient(fromSchema.url, (client) => client.query(createFromSchema));

        const [migratedFacts, schemaFacts] = await Promise.all([catalogFacts(migrated.url), catalogFacts(fromSchema.url)]);
        // Guards against a catalog query that silently matches nothing on both sides.
        expect(schemaFacts, "the catalog query should see schema.prisma's tables").toContain('table "User"');

        const schemaFactSet = new Set(schemaFacts);
        const migratedFactSet = new Set(migratedFacts);
        const drift = {
          onlyInMigratedDatabase: migratedFacts.filter((fact) => !schemaFactSet.has(fact)),
          onlyInSchemaPrisma: schemaFacts.filter((fact) => !migratedFactSet.has(fact)),
        };
        expect(
          drift,
          "prisma/migrations and prisma/schema.prisma disagree; after changing schema.prisma run `npm run db:new-migration -- <name>`",
        ).toEqual({ onlyInMigratedDatabase: [], onlyInSchemaPrisma: [] });
      }),
    );
  });

  it("leave nothing for the schema engine to migrate", async () => {
    // The same question asked the way `npm run db:new-migration` asks it; on failure it shows the
    // SQL a new migration would need.
    await withDatabase(async (scratch) => {
      const missingSql = await diffSql({
        databaseUrl: scratch.url,
        from: { kind: "migrations" },
        to: { kind: "schema", content: await readSchema() },
      });
      expect(missingSql, "schema.prisma has changes no migration makes; run `npm run db:new-migration -- <name>`").toBe("");
    });
  });
});

describe("the migrator", () => {
  it("refuses to run when a migration changed after it was applied", async () => {
    await withMigrationsCopy(async (directory) =>
      withDatabase(async (database) => {
        const [first] = await readMigrations(directory);
        expect(first, "there should be at least one migration").toBeDefined();
        await migrate(database.url, log, directory);

        const file = path.join(directory, first!.name, "migration.sql");
        await fs.appendFile(file, "\n-- edited after it was applied\n");

        const rerun = migrate(database.url, log, directory);
        await expect(rerun).rejects.toBeInstanceOf(MigrationError);
        await expect(rerun).rejects.toThrow(`Migration ${first!.name} was changed after it was applied`);
      }),
    );
  });

  it("applies each migration exactly once when two instances start together", async () => {
    await withMigrationsCopy(async (directory) =>
      withDatabase(async (database) => {
        // A slow last migration that fails if it ever runs twice (CREATE TABLE without IF NOT
        // EXISTS), so the two migrators really overlap and a double run would show.
        const probe = "99999999999999_concurrency_probe";
        await fs.mkdir(path.join(directory, probe));
        await fs.writeFile(
          path.join(directory, probe, "migration.sql"),
          `SELECT pg_sleep(0.3);\nCREATE TABLE "concurrency_probe" ("id" INTEGER PRIMARY KEY);\n`,
        );
        const names = (await readMigrations(directory)).map((migration) => migration.name);

        const [appliedByFirst, appliedBySecond] = await Promise.all([
          migrate(database.url, log, directory),
          migrate(database.url, log, directory),
        ]);

        expect([...appliedByFirst, ...appliedBySecond].sort()).toEqual(names);
        const { rows } = await withClient(database.url, (client) =>
          client.query<{ migration_name: string; runs: number }>(
            `SELECT migration_name, count(*)::int AS runs FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name`,
          ),
        );
        expect(rows).toEqual(names.map((name) => ({ migration_name: name, runs: 1 })));
      }),
    );
  });
});
