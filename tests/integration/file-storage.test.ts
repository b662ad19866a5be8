import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHUNK_BYTES, MissingFileError, type StorageDriver } from "@/server/features/files/storage";
import { readAll, storageFixture, type StorageFixture } from "./support/file-storage";

/** Not a multiple of the chunk size, handed over in uneven pieces. */
const BODY = randomBytes(3 * 1024 * 1024 + 12_345);
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

function unevenPieces(bytes: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0, step = 1; at < bytes.length; at += step, step = (step * 7 + 13) % 100_000) pieces.push(bytes.subarray(at, at + step));
  return Readable.from(pieces);
}

let keyCounter = 0;
const newKey = () => `test-${Date.now().toString(36)}-${keyCounter++}`;

describe.each<StorageDriver>(["disk", "postgres"])("file storage: %s driver", (driver) => {
  let fixture: StorageFixture;
  const key = newKey();

  beforeAll(async () => {
    fixture = await storageFixture(driver);
    const written = await fixture.storage.write(key, unevenPieces(BODY));
    expect(written).toEqual({ size: BODY.length, sha256: sha256(BODY) });
  });
  afterAll(() => fixture?.close());

  it("names its driver", () => {
    expect(fixture.storage.driver).toBe(driver);
  });

  it("reads a multi-MB body back byte for byte", async () => {
    const read = await readAll(fixture.storage.read(key));
    expect(read.length).toBe(BODY.length);
    expect(sha256(read)).toBe(sha256(BODY));
  });

  it.each([
    ["the first byte", 0, 0],
    ["the last byte", BODY.length - 1, BODY.length - 1],
    ["a middle range spanning chunks", CHUNK_BYTES - 10, 2 * CHUNK_BYTES + 10],
    ["exactly one chunk", CHUNK_BYTES, 2 * CHUNK_BYTES - 1],
    ["the whole body as a range", 0, BODY.length - 1],
  ])("reads %s", async (_, start, end) => {
    const read = await readAll(fixture.storage.read(key, { start, end }));
    expect(read.equals(BODY.subarray(start, end + 1))).toBe(true);
  });

  it("accepts an async iterable and an empty body", async () => {
    const small = newKey();
    async function* body() {
      yield new Uint8Array([1, 2, 3]);
      yield new Uint8Array([4]);
    }
    expect(await fixture.storage.write(small, body())).toEqual({ size: 4, sha256: sha256(Buffer.from([1, 2, 3, 4])) });
    expect([...(await readAll(fixture.storage.read(small)))]).toEqual([1, 2, 3, 4]);

    const empty = newKey();
    expect(await fixture.storage.write(empty, Readable.from([]))).toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)) });
    expect((await readAll(fixture.storage.read(empty))).length).toBe(0);
  });

  it("fails the read of a missing key with MissingFileError", async () => {
    await expect(readAll(fixture.storage.read(newKey()))).rejects.toBeInstanceOf(MissingFileError);
    await expect(readAll(fixture.storage.read(newKey(), { start: 0, end: 9 }))).rejects.toBeInstanceOf(MissingFileError);
  });

  it("deletes, and deleting a missing key is no error", async () => {
    const doomed = newKey();
    await fixture.storage.write(doomed, Readable.from([Buffer.alloc(CHUNK_BYTES + 1, 7)]));
    await fixture.storage.delete(doomed);
    await expect(readAll(fixture.storage.read(doomed))).rejects.toBeInstanceOf(MissingFileError);
    expect(await fixture.leftovers(doomed)).toEqual([]);
    await expect(fixture.storage.delete(doomed)).resolves.toBeUndefined();
  });

  it("leaves nothing behind when a write is aborted midway", async () => {
    const aborted = newKey();
    const controller = new AbortController();
    async function* stalls() {
      yield Buffer.alloc(CHUNK_BYTES * 2 + 5, 1); // enough for whole chunks to be written
      setTimeout(() => controller.abort(), 50);
      await new Promise(() => undefined); // the producer hangs: only the abort ends the write
    }
    await expect(fixture.storage.write(aborted, stalls(), controller.signal)).rejects.toMatchObject({ name: "AbortError" });
    await expect(readAll(fixture.storage.read(aborted))).rejects.toBeInstanceOf(MissingFileError);
    expect(await fixture.leftovers(aborted)).toEqual([]);
  });

  it("leaves nothing behind when the body fails, or the signal was already aborted", async () => {
    const failing = newKey();
    async function* breaks() {
      yield Buffer.alloc(CHUNK_BYTES + 1, 2);
      throw new Error("the renderer broke");
    }
    await expect(fixture.storage.write(failing, breaks())).rejects.toThrow("the renderer broke");
    expect(await fixture.leftovers(failing)).toEqual([]);

    const never = newKey();
    await expect(fixture.storage.write(never, Readable.from([Buffer.from("x")]), AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
    expect(await fixture.leftovers(never)).toEqual([]);
  });

  it.each(["../escape", "a/b", "a\\b", "UPPER", "", ".tmp-x", "a.b", "x".repeat(129), "ünï"])("refuses the key %j", async (bad) => {
    await expect(fixture.storage.write(bad, Readable.from([Buffer.from("x")]))).rejects.toThrow(/Invalid storage key/);
    expect(() => fixture.storage.read(bad)).toThrow(/Invalid storage key/);
    await expect(fixture.storage.delete(bad)).rejects.toThrow(/Invalid storage key/);
  });

  it("refuses a backwards range", () => {
    expect(() => fixture.storage.read(key, { start: 5, end: 4 })).toThrow(/Invalid byte range/);
  });
});
