/**
 * The collaboration document: Yjs updates, merged. The event log holds every update (as `doc`
 * events); a snapshot row holds their merge up to some event id, so loading reads the snapshot
 * plus the updates after it, and compacts when those grow.
 */
import * as Y from "yjs";
import { AppError } from "@/server/errors";

/** Decodes a client's base64 update and checks that Yjs can read it. */
export function parseUpdate(base64: string): Uint8Array {
  const bytes = new Uint8Array(Buffer.from(base64, "base64"));
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(bytes);
  } catch {
    throw new AppError("BAD_REQUEST", "That is not a Yjs document update.");
  }
  if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) {
    throw new AppError("BAD_REQUEST", "The update changes nothing.");
  }
  return bytes;
}

/**
 * One update equivalent to all of them, garbage-collected (deleted text is dropped), as a late
 * joiner's starting point. An update Yjs cannot apply is skipped rather than losing the document.
 */
export function mergeUpdates(updates: Uint8Array[], onSkip?: (error: unknown) => void): Uint8Array {
  const doc = new Y.Doc();
  try {
    doc.transact(() => {
      for (const update of updates) {
        try {
          Y.applyUpdate(doc, update);
        } catch (error) {
          onSkip?.(error);
        }
      }
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

export const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
