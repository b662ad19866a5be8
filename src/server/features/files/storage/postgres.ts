/**
 * The `postgres` driver: a body is split into 256 KiB rows of "FileChunk", so several instances
 * (and hosts without a disk, like Render) share the files. Every chunk but the last is exactly
 * CHUNK_BYTES long, so the chunk holding byte N is chunk floor(N / CHUNK_BYTES).
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type pg from "pg";
import { abortableBody, checkKey, checkRange, MissingFileError, toBytes, type ByteRange, type FileStorage } from "./storage.js";

export const CHUNK_BYTES = 256 * 1024;

const INSERT = `INSERT INTO "FileChunk" ("storageKey", "index", "data") VALUES ($1, $2, $3)`;
const DELETE = `DELETE FROM "FileChunk" WHERE "storageKey" = $1`;

export function createPostgresStorage(pool: pg.Pool): FileStorage {
  return {
    driver: "postgres",

    async write(key, body, signal) {
      checkKey(key);
      const source = abortableBody(body, signal);
      const hash = createHash("sha256");
      let size = 0;
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        // One transaction: the chunks appear together at COMMIT, or never.
        await client.query("BEGIN");
        await client.query(DELETE, [key]);
        let index = 0;
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        const flush = async (bytes: Buffer) => {
          await client.query(INSERT, [key, index++, bytes]);
        };
        for await (const chunk of source) {
          const bytes = toBytes(chunk);
          hash.update(bytes);
          size += bytes.length;
          pending.push(bytes);
          pendingBytes += bytes.length;
          while (pendingBytes >= CHUNK_BYTES) {
            const all = Buffer.concat(pending, pendingBytes);
            await flush(all.subarray(0, CHUNK_BYTES));
            const rest = all.subarray(CHUNK_BYTES);
            pending = rest.length ? [rest] : [];
            pendingBytes = rest.length;
          }
        }
        // An empty body still gets chunk 0, so that it exists (read of a missing key fails).
        if (pendingBytes > 0 || index === 0) await flush(Buffer.concat(pending, pendingBytes));
        signal?.throwIfAborted();
        await client.query("COMMIT");
      } catch (error) {
        source.destroy();
        await client.query("ROLLBACK").catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        // A connection whose ROLLBACK failed may be mid-transaction: destroy it rather than pool it.
        client.release(broken);
      }
      return { size, sha256: hash.digest("hex") };
    },

    read(key, range) {
      checkKey(key);
      checkRange(range);
      return Readable.from(readChunks(pool, key, range), { objectMode: false });
    },

    async delete(key) {
      checkKey(key);
      await pool.query(DELETE, [key]);
    },
  };
}

/** One chunk per query, only those the range touches: memory stays at one chunk whatever the file's size. */
async function* readChunks(pool: pg.Pool, key: string, range: ByteRange | undefined): AsyncGenerator<Buffer> {
  const first = range ? Math.floor(range.start / CHUNK_BYTES) : 0;
  const last = range ? Math.floor(range.end / CHUNK_BYTES) : Number.POSITIVE_INFINITY;
  for (let index = first; index <= last; index++) {
    const { rows } = await pool.query<{ data: Buffer }>(`SELECT "data" FROM "FileChunk" WHERE "storageKey" = $1 AND "index" = $2`, [key, index]);
    const data = rows[0]?.data;
    if (!data) {
      if (index === first && !(await exists(pool, key))) throw new MissingFileError(key);
      return;
    }
    const base = index * CHUNK_BYTES;
    const from = range && index === first ? range.start - base : 0;
    const to = range && index === last ? range.end - base + 1 : data.length;
    const slice = data.subarray(from, to);
    if (slice.length > 0) yield slice;
    if (data.length < CHUNK_BYTES) return;
  }
}

async function exists(pool: pg.Pool, key: string): Promise<boolean> {
  const { rowCount } = await pool.query(`SELECT 1 FROM "FileChunk" WHERE "storageKey" = $1 AND "index" = 0`, [key]);
  return (rowCount ?? 0) > 0;
}
