/** Picks the storage driver the configuration names (`FILES_DRIVER`, `FILES_DIR`). */
import type pg from "pg";
import { createDiskStorage } from "./disk.js";
import { createPostgresStorage } from "./postgres.js";
import type { FileStorage, StorageDriver } from "./storage.js";

export { createDiskStorage } from "./disk.js";
export { CHUNK_BYTES, createPostgresStorage } from "./postgres.js";
export { MissingFileError, type ByteRange, type FileStorage, type StorageDriver } from "./storage.js";

export function createFileStorage(options: { driver: StorageDriver; dir: string; pool: pg.Pool }): FileStorage {
  return options.driver === "postgres" ? createPostgresStorage(options.pool) : createDiskStorage(options.dir);
}
