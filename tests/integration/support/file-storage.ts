import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "@/server/db/migrate";
import { createDiskStorage, createPostgresStorage, type FileStorage, type StorageDriver } from "@/server/features/files/storage";
import { createLogger } from "@/server/log";
import { createTestDatabase, type TestDatabase } from "../../helpers/database";

export interface StorageFixture {
  storage: FileStorage;
  /** What is left on the medium under `key`, temp files included: [] when nothing is. */
  leftovers(key: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A migrated test database and its pool; `close()` drops it. */
export async function migratedDatabase(): Promise<{ database: TestDatabase; pool: pg.Pool; close(): Promise<void> }> {
  const database = await createTestDatabase();
  await migrate(database.url, createLogger("silent"));
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  return {
    database,
    pool,
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

/** A real driver on a real medium: a temp folder, or a fresh migrated database. */
export async function storageFixture(driver: StorageDriver): Promise<StorageFixture> {
  if (driver === "disk") {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pulse-files-"));
    return {
      storage: createDiskStorage(dir),
      leftovers: async (key) => (await fs.readdir(dir).catch(() => [])).filter((name) => name.includes(key)),
      close: () => fs.rm(dir, { recursive: true, force: true }),
    };
  }
  const db = await migratedDatabase();
  return {
    storage: createPostgresStorage(db.pool),
    leftovers: async (key) =>
      (await db.pool.query<{ index: number }>(`SELECT "index" FROM "FileChunk" WHERE "storageKey" = $1`, [key])).rows.map((row) => `chunk ${row.index}`),
    close: db.close,
  };
}

export async function readAll(stream: NodeJS.ReadableStream & AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
