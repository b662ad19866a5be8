// Drives Prisma's schema engine compiled to WebAssembly (`@prisma/schema-engine-wasm`), because the
// CLI's native engine comes from a download host this project cannot reach. Dev-only: scripts and
// tests use it, the server never does (the package is a dev dependency), so it lives outside src/.
//
// The wasm engine reaches PostgreSQL only through a Prisma driver adapter, and it connects as soon
// as it is constructed, even to diff two schema files. So every call needs a live server
// (`databaseUrl`); it is only read from, except that a diff starting from migrations creates a
// throwaway shadow database on it (CREATEDB privilege needed) and drops it afterwards.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlResultSet,
  type Transaction,
} from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { DiffTarget, MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";
import { MIGRATIONS_DIR, readMigrations } from "../../src/server/db/migrate.js";

export const SCHEMA_PATH = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");

/** Where a database schema comes from: nothing, a Prisma schema, or a migrations directory. */
export type SchemaSource =
  | { kind: "empty" }
  | { kind: "schema"; content: string; fileName?: string }
  | { kind: "migrations"; directory?: string };

export interface DiffOptions {
  /** A PostgreSQL server the engine may connect to (and create a shadow database on). */
  databaseUrl: string;
  from: SchemaSource;
  to: SchemaSource;
  /** Receives the engine's own JSON log lines; silent when omitted. */
  onEngineLog?: (line: string) => void;
}

export class SchemaEngineError extends Error {
  override name = "SchemaEngineError";
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

let bindingsReady: Promise<void> | undefined;

declare global {
  // The engine's glue reports a Rust panic here first. The panic itself often surfaces as an
  // uncaught "RuntimeError: unreachable" that says nothing, so the message is printed at once too.
  var PRISMA_WASM_PANIC_REGISTRY: { set_message(message: string): void } | undefined;
}

let lastPanic: string | undefined;

/**
 * The package's entry point imports the .wasm file as an ES module, which Node 20 only allows behind
 * --experimental-wasm-modules; so we instantiate it ourselves against its JS glue, once per process
 * (the glue keeps the instance in a module-level variable).
 */
function loadBindings(): Promise<void> {
  bindingsReady ??= (async () => {
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message: (message) => {
        lastPanic = message;
        console.error(`schema engine panicked: ${message}`);
      },
    };
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await fs.readFile(gluePath.replace(/\.js$/, ".wasm"));
    const imports: WebAssembly.Imports = { "./schema_engine_bg.js": { ...engineBindings } };
    const { instance } = await WebAssembly.instantiate(bytes, imports);
    engineBindings.__wbg_set_wasm(instance.exports);
    const start = instance.exports.__wbindgen_start;
    if (typeof start !== "function") throw new SchemaEngineError("@prisma/schema-engine-wasm: __wbindgen_start is missing");
    start();
  })();
  return bindingsReady;
}

/**
 * The engine's introspection selects catalog columns of PostgreSQL's one-byte `"char"` type
 * (pg_constraint.contype, confdeltype, ...) and reads them as characters, but @prisma/adapter-pg
 * 7.10 rejects that type (OID 18) outright. So the row description is rewritten before pg sees it:
 * `"char"` becomes a made-up user-type OID, which the adapter passes to `userDefinedTypeParser`,
 * which tags each value; our `queryRaw` then reports tagged columns as `Character`, the column type
 * the engine expects. (PostgreSQL 18 stores NOT NULL constraints in pg_constraint, so this is hit by
 * every table there.) The made-up OID is the largest possible one, which no type in a throwaway
 * database will ever have.
 */
const PG_CHAR_OID = 18;
const CATALOG_CHAR_STANDIN_OID = 0xffff_ffff;

class CatalogChar {
  constructor(readonly value: unknown) {}
}

function standInForCatalogChars(client: pg.PoolClient): void {
  if (!(client instanceof pg.Client)) return;
  // Prepended, so it runs before pg's own handler picks the value parsers from these OIDs.
  client.connection.prependListener("rowDescription", (message: { fields: pg.FieldDef[] }) => {
    for (const field of message.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = CATALOG_CHAR_STANDIN_OID;
  });
}

async function tagCatalogChar(oid: number, value: unknown): Promise<unknown> {
  return oid === CATALOG_CHAR_STANDIN_OID ? new CatalogChar(value) : value;
}

function withCatalogCharColumns(result: SqlResultSet): SqlResultSet {
  const columnTypes = result.columnTypes.map((type, column) => {
    if (!result.rows.some((row) => row[column] instanceof CatalogChar)) return type;
    for (const row of result.rows) {
      const value = row[column];
      if (value instanceof CatalogChar) row[column] = value.value;
    }
    return ColumnTypeEnum.Character;
  });
  return { ...result, columnTypes };
}

function transactionWithCatalogChars(transaction: Transaction): Transaction {
  return {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: async (query) => withCatalogCharColumns(await transaction.queryRaw(query)),
    executeRaw: (query) => transaction.executeRaw(query),
    commit: () => transaction.commit(),
    rollback: () => transaction.rollback(),
    createSavepoint: transaction.createSavepoint?.bind(transaction),
    rollbackToSavepoint: transaction.rollbackToSavepoint?.bind(transaction),
    releaseSavepoint: transaction.releaseSavepoint?.bind(transaction),
  };
}

function urlWithDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * @prisma/adapter-pg plus what the schema engine needs from it here: `"char"` columns it can read,
 * whole migration scripts sent to the server as they are (the stock adapter splits scripts on every
 * `;`, which breaks on a semicolon inside a string or a function body), a shadow database created
 * on the same server, and every pool closed at the end whether or not the engine disposed of it.
 */
class EngineAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres";
  readonly adapterName = "@prisma/adapter-pg";
  private readonly pools = new Set<pg.Pool>();
  private readonly shadowDatabases = new Set<string>();

  constructor(private readonly databaseUrl: string) {}

  connect(): Promise<SqlDriverAdapter> {
    return this.open(this.databaseUrl);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const database = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
    await this.admin(`CREATE DATABASE "${database}"`);
    this.shadowDatabases.add(database);
    const adapter = await this.open(urlWithDatabase(this.databaseUrl, database));
    return {
      ...adapter,
      dispose: async () => {
        await adapter.dispose();
        await this.dropShadowDatabase(database);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools].filter((pool) => !pool.ended).map((pool) => pool.end()));
    for (const database of [...this.shadowDatabases]) await this.dropShadowDatabase(database);
  }

  private async open(url: string): Promise<SqlDriverAdapter> {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on("connect", standInForCatalogChars);
    this.pools.add(pool);
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true, userDefinedTypeParser: tagCatalogChar }).connect();
    return {
      provider: adapter.provider,
      adapterName: adapter.adapterName,
      queryRaw: async (query) => withCatalogCharColumns(await adapter.queryRaw(query)),
      executeRaw: (query) => adapter.executeRaw(query),
      // Without parameters pg uses the simple query protocol, which runs several statements at once.
      executeScript: async (script) => {
        await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
      },
      startTransaction: async (isolationLevel) => transactionWithCatalogChars(await adapter.startTransaction(isolationLevel)),
      getConnectionInfo: () => adapter.getConnectionInfo(),
      dispose: async () => {
        if (!pool.ended) await adapter.dispose();
      },
    };
  }

  private async dropShadowDatabase(database: string): Promise<void> {
    if (!this.shadowDatabases.delete(database)) return;
    await this.admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }

  private async admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }
}

/** The engine's view of a migrations directory: the same files, in the same order, as our migrator. */
export async function migrationList(directory = MIGRATIONS_DIR): Promise<MigrationList> {
  const migrations = await readMigrations(directory);
  // The engine learns the connector from Prisma's lock file; our layout may omit it, and we only
  // ever target PostgreSQL, so stand in what `prisma migrate` would have written.
  const lockfileContent = await fs
    .readFile(path.join(directory, "migration_lock.toml"), "utf8")
    .catch(() => 'provider = "postgresql"\n');
  return {
    baseDir: directory,
    lockfile: { path: "migration_lock.toml", content: lockfileContent },
    shadowDbInitScript: "",
    migrationDirectories: migrations.map((migration) => ({
      path: migration.name,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: migration.sql } },
    })),
  };
}

async function diffTarget(source: SchemaSource): Promise<DiffTarget> {
  switch (source.kind) {
    case "empty":
      return { tag: "empty" };
    case "schema":
      return { tag: "schemaDatamodel", files: [{ path: source.fileName ?? "schema.prisma", content: source.content }] };
    case "migrations":
      return { tag: "migrations", ...(await migrationList(source.directory)) };
  }
}

function engineError(action: string, error: unknown): SchemaEngineError {
  const message = error instanceof Error ? error.message : String(error);
  const panic = lastPanic === undefined ? "" : ` (engine panic: ${lastPanic})`;
  lastPanic = undefined;
  return new SchemaEngineError(`schema engine ${action} failed: ${message}${panic}`);
}

async function withEngine<T>(
  databaseUrl: string,
  onEngineLog: ((line: string) => void) | undefined,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadBindings();
  const adapterFactory = new EngineAdapterFactory(databaseUrl);
  try {
    const engine = await engineBindings.SchemaEngine.new(
      { datamodels: undefined },
      (line: string) => onEngineLog?.(line),
      bindMigrationAwareSqlAdapterFactory(adapterFactory),
    ).catch((error: unknown) => {
      throw engineError("start", error);
    });
    try {
      return await use(engine);
    } finally {
      engine.free();
    }
  } finally {
    await adapterFactory.close();
  }
}

/**
 * The PostgreSQL script that turns the `from` schema into the `to` schema, as `prisma migrate diff
 * --script` would print it; an empty string when the two already match.
 */
export async function diffSql(options: DiffOptions): Promise<string> {
  const [from, to] = await Promise.all([diffTarget(options.from), diffTarget(options.to)]);
  return withEngine(options.databaseUrl, options.onEngineLog, async (engine) => {
    // With exitCode set the engine answers 2 for a non-empty diff, so emptiness is not guessed from text.
    const result = await engine.diff({ from, to, script: true, exitCode: true, filters: NO_FILTERS }).catch((error: unknown) => {
      throw engineError("diff", error);
    });
    if (result.exitCode === 0) return "";
    if (result.exitCode !== 2) throw new SchemaEngineError(`schema engine diff exited with code ${result.exitCode}`);
    return result.stdout ?? "";
  });
}

export async function readSchema(schemaPath = SCHEMA_PATH): Promise<string> {
  return fs.readFile(schemaPath, "utf8");
}
