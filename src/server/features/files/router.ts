import { authedProcedure, router } from "@/server/trpc/trpc";
import { createInput, downloadLinkInput, fileIdInput, listInput, revokeLinkInput } from "./schemas.js";
import type { FilesService } from "./service.js";

export const filesRouter = (files: FilesService) =>
  router({
    /**
     * `{ kind, … }` (pdf, docx, csv, screenshot, pagepdf) → `{ file, job }`: the file-to-be and
     * the job making it; follow it with `jobs.onUpdate`. A screenshot's address is refused
     * (BAD_REQUEST) when it leads to a private network; a full quota is PAYLOAD_TOO_LARGE.
     */
    create: authedProcedure.input(createInput).mutation(({ ctx, input }) => files.create(ctx.caller, input)),

    /** `{ kind?, cursor?, limit? }` → `{ items, nextCursor }`, newest first. */
    list: authedProcedure.input(listInput).query(({ ctx, input }) => files.list(ctx.caller, input)),

    byId: authedProcedure.input(fileIdInput).query(({ ctx, input }) => files.byId(ctx.caller, input.fileId)),

    /** The file, its body and its links; a job still making it is cancelled. */
    delete: authedProcedure.input(fileIdInput).mutation(({ ctx, input }) => files.delete(ctx.caller, input.fileId)),

    /** `{ usedBytes, quotaBytes, files }`: the caller's storage. */
    usage: authedProcedure.query(({ ctx }) => files.usage(ctx.caller)),

    /** `{ fileId, expiresInS }` → `{ url, linkId, expiresAt }`: works without a cookie until it expires or is revoked. */
    downloadLink: authedProcedure
      .input(downloadLinkInput)
      .mutation(({ ctx, input }) => files.downloadLink(ctx.caller, input.fileId, input.expiresInS, ctx.meta.origin)),

    revokeDownloadLink: authedProcedure.input(revokeLinkInput).mutation(({ ctx, input }) => files.revokeDownloadLink(ctx.caller, input.linkId)),
  });
