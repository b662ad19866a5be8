/**
 * Download links that work without a cookie (for programs, and for sharing): the URL carries a
 * random secret; we keep its SHA-256, an expiry and a revocation time. A link names its file, so
 * a secret for one file opens no other.
 */
import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";

const PREFIX = "pfl_";

const hash = (secret: string) => createHash("sha256").update(secret).digest("hex");

export async function createLink(pool: pg.Pool, fileId: string, createdBy: string, expiresInS: number) {
  const secret = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  const { rows } = await pool.query<{ id: string; expiresAt: Date }>(
    `INSERT INTO "FileLink" (id, "fileId", "tokenHash", "createdBy", "expiresAt")
     VALUES (gen_random_uuid(), $1, $2, $3, now() + make_interval(secs => $4)) RETURNING id::text AS id, "expiresAt"`,
    [fileId, hash(secret), createdBy, expiresInS],
  );
  return { secret, linkId: rows[0]!.id, expiresAt: rows[0]!.expiresAt };
}

/** Whether `secret` is a live link to `fileId`: not expired, not revoked. */
export async function linkOpens(pool: pg.Pool, fileId: string, secret: string): Promise<boolean> {
  if (!secret.startsWith(PREFIX) || secret.length > 100) return false;
  const { rows } = await pool.query(
    `SELECT 1 FROM "FileLink" WHERE "tokenHash" = $1 AND "fileId" = $2 AND "revokedAt" IS NULL AND "expiresAt" > now()`,
    [hash(secret), fileId],
  );
  return rows.length > 0;
}

/** Revokes a link of a file the caller owns; false when there is no such live link. */
export async function revokeLink(pool: pg.Pool, linkId: string, ownerId: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE "FileLink" l SET "revokedAt" = now() FROM "File" f
     WHERE l.id = $1 AND l."fileId" = f.id AND f."ownerId" = $2 AND l."revokedAt" IS NULL`,
    [linkId, ownerId],
  );
  return rowCount === 1;
}
