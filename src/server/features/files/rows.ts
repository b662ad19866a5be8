/** The File table in plain SQL, and a row as the API shows it. */
import type pg from "pg";
import type { FileKind, FileStatus, FileView } from "@/shared/files";

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export interface FileRow {
  id: string;
  ownerId: string;
  kind: FileKind;
  name: string;
  contentType: string;
  size: number;
  sha256: string | null;
  status: FileStatus;
  storage: "disk" | "postgres";
  storageKey: string;
  jobId: string | null;
  createdAt: Date;
  readyAt: Date | null;
}

export const FILE_COLUMNS = `f.id::text AS id, f."ownerId"::text AS "ownerId", f.kind::text AS kind, f.name, f."contentType",
  f.size::float8 AS size, f.sha256, f.status::text AS status, f.storage, f."storageKey", f."jobId"::text AS "jobId", f."createdAt", f."readyAt"`;

export function toFileView(row: FileRow): FileView {
  const { ownerId: _owner, storage: _storage, storageKey: _key, ...view } = row;
  return view;
}

export async function fileById(q: Queryable, fileId: string): Promise<FileRow | null> {
  const { rows } = await q.query<FileRow>(`SELECT ${FILE_COLUMNS} FROM "File" f WHERE f.id = $1`, [fileId]);
  return rows[0] ?? null;
}

export async function insertFile(
  q: Queryable,
  file: { id: string; ownerId: string; kind: FileKind; name: string; contentType: string; storage: string; storageKey: string },
): Promise<FileRow> {
  const { rows } = await q.query<FileRow>(
    `INSERT INTO "File" AS f (id, "ownerId", kind, name, "contentType", storage, "storageKey")
     VALUES ($1, $2, $3::"FileKind", $4, $5, $6, $7) RETURNING ${FILE_COLUMNS}`,
    [file.id, file.ownerId, file.kind, file.name, file.contentType, file.storage, file.storageKey],
  );
  return rows[0]!;
}

/** Bytes an owner's files take, ready and being made. */
export async function usedBytes(q: Queryable, ownerId: string): Promise<{ bytes: number; files: number }> {
  const { rows } = await q.query<{ bytes: number; files: number }>(
    `SELECT coalesce(sum(size), 0)::float8 AS bytes, count(*)::int AS files FROM "File" WHERE "ownerId" = $1 AND status <> 'failed'`,
    [ownerId],
  );
  return rows[0] ?? { bytes: 0, files: 0 };
}

/** Files kept (not failed) and their bytes, by kind: one owner's, or every owner's when ownerId is null. */
export async function usageByKind(q: Queryable, ownerId: string | null): Promise<{ kind: FileKind; files: number; bytes: number }[]> {
  const { rows } = await q.query<{ kind: FileKind; files: number; bytes: number }>(
    `SELECT kind::text AS kind, count(*)::int AS files, coalesce(sum(size), 0)::float8 AS bytes FROM "File"
     WHERE status <> 'failed' AND ($1::uuid IS NULL OR "ownerId" = $1) GROUP BY kind`,
    [ownerId],
  );
  return rows;
}
