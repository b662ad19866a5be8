/**
 * The collaboration document as of an event: the snapshot row plus the `doc` events after it,
 * merged; a load that merges many writes a new snapshot (compaction) so the next one reads few.
 */
import type { App } from "@/server/app";
import { mergeUpdates, toBase64 } from "./doc.js";
import { DOC } from "./tables.js";

// Never move a snapshot backwards (another instance may have compacted further meanwhile).
const SAVE_SNAPSHOT = `
  INSERT INTO ${DOC} ("sessionId", state, "throughEventId", "updatedAt")
  VALUES ($1::uuid, $2, $3, now())
  ON CONFLICT ("sessionId") DO UPDATE SET state = EXCLUDED.state, "throughEventId" = EXCLUDED."throughEventId", "updatedAt" = now()
  WHERE ${DOC}."throughEventId" < EXCLUDED."throughEventId"`;

export function createDocuments(app: App, settings: { compactAfterUpdates: number }) {
  const { db, pool, log } = app;

  /** The document through event `throughId`, as one base64 Yjs update; compacts when updates pile up. */
  async function load(sessionId: string, throughId: bigint): Promise<string> {
    const snapshot = await db.sessionDoc.findUnique({ where: { sessionId } });
    const from = snapshot?.throughEventId ?? 0n;
    const rows = await db.sessionEvent.findMany({
      where: { sessionId, type: "doc", id: { gt: from, lte: throughId } },
      orderBy: { id: "asc" },
      select: { id: true, payload: true },
    });
    if (!rows.length) return snapshot ? toBase64(snapshot.state) : toBase64(mergeUpdates([]));
    const updates = rows.map((row) => new Uint8Array(Buffer.from((row.payload as { update: string }).update, "base64")));
    const merged = mergeUpdates(snapshot ? [snapshot.state, ...updates] : updates, (err) =>
      log.warn({ err, sessionId }, "skipped a document update Yjs could not apply"),
    );
    if (rows.length >= settings.compactAfterUpdates) {
      const through = rows[rows.length - 1]!.id;
      await pool
        .query(SAVE_SNAPSHOT, [sessionId, Buffer.from(merged), through.toString()])
        .catch((err: unknown) => log.warn({ err, sessionId }, "could not compact a session document"));
    }
    return toBase64(merged);
  }

  return { load };
}
