/**
 * `GET /api/files/:id/download`: the bytes, to the file's owner or an admin (cookie or bearer
 * token), or to anyone holding a live download link (`?token=`). Everyone else gets the same
 * 404 as for a file that does not exist. `?inline=1` shows our own PNGs and PDFs in the browser
 * (the Files page's previews) instead of saving them.
 */
import type { ServerResponse } from "node:http";
import type pg from "pg";
import type { HttpRoute } from "@/server/routes";
import { serveDownload } from "./download.js";
import { linkOpens } from "./links.js";
import { fileById } from "./rows.js";
import type { FileStorage } from "./storage/index.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INLINE_TYPES = new Set(["image/png", "application/pdf"]);

function notFound(res: ServerResponse, message = "File not found.") {
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }).end(`${message}\n`);
}

export function downloadRoute(pool: pg.Pool, storage: FileStorage): HttpRoute {
  return {
    path: "/api/files/:id/download",
    methods: ["GET", "HEAD"],
    async handle({ req, res, params, query, caller }) {
      const id = params.id ?? "";
      if (!UUID.test(id)) return notFound(res);
      const file = await fileById(pool, id);
      if (!file) return notFound(res);
      const token = query.get("token");
      let allowed: boolean;
      if (token !== null) allowed = await linkOpens(pool, file.id, token);
      else {
        const who = await caller();
        allowed = who !== null && (who.user.id === file.ownerId || who.user.role === "ADMIN");
      }
      if (!allowed) return notFound(res);
      if (file.status !== "ready" || !file.sha256) return notFound(res, "This file is not ready yet.");
      const inline = query.get("inline") === "1" && INLINE_TYPES.has(file.contentType);
      serveDownload(req, res, { ...file, sha256: file.sha256 }, storage, inline ? "inline" : "attachment");
    },
  };
}
