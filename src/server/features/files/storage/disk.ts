/** The `disk` driver: one file per key in one folder, written under a temp name and renamed. */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { abortableBody, checkKey, checkRange, MissingFileError, toBytes, type ByteRange, type FileStorage } from "./storage.js";

/** Temp names start with a dot, which no key can: a half-written body is never read as a file. */
const TEMP_PREFIX = ".tmp-";

export function createDiskStorage(dir: string): FileStorage {
  const root = path.resolve(dir);
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => (ready ??= fs.mkdir(root, { recursive: true }).catch((error: unknown) => {
    ready = undefined;
    throw error;
  }));
  const pathOf = (key: string) => path.join(root, checkKey(key));

  return {
    driver: "disk",

    async write(key, body, signal) {
      const target = pathOf(key);
      const source = abortableBody(body, signal);
      await ensureDir();
      const temp = path.join(root, `${TEMP_PREFIX}${key}-${randomBytes(6).toString("hex")}`);
      const hash = createHash("sha256");
      let size = 0;
      try {
        await pipeline(
          source,
          async function* (source: AsyncIterable<unknown>) {
            for await (const chunk of source) {
              const bytes = toBytes(chunk);
              hash.update(bytes);
              size += bytes.length;
              yield bytes;
            }
          },
          createWriteStream(temp, { flags: "wx" }),
          { signal },
        );
        // rename() within one folder is atomic: readers see the old body or the whole new one.
        await fs.rename(temp, target);
      } catch (error) {
        source.destroy();
        await fs.rm(temp, { force: true });
        throw error;
      }
      return { size, sha256: hash.digest("hex") };
    },

    read(key, range) {
      const file = pathOf(key);
      checkRange(range);
      return Readable.from(readFile(file, key, range), { objectMode: false });
    },

    async delete(key) {
      await fs.rm(pathOf(key), { force: true });
    },
  };
}

async function* readFile(file: string, key: string, range: ByteRange | undefined): AsyncGenerator<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new MissingFileError(key);
    throw error;
  }
  // The stream closes the handle when it ends or is destroyed (autoClose).
  const stream = handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}
