import { z } from "zod";
import { eventId, text } from "@/shared/input";
import { JOB_STATUSES } from "@/shared/jobs";

const jobId = z.uuid("That is not a job id.");

export const jobIdInput = z.object({ jobId }).strict();

export const listInput = z
  .object({
    status: z.enum(JOB_STATUSES).optional(),
    type: text().trim().min(1).max(60).optional(),
    cursor: jobId.nullish(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict()
  .default({ limit: 20 });
export type ListInput = z.infer<typeof listInput>;

/** With a job id: that job's changes (its current state first, unless resuming). Without: every job of mine. */
export const onUpdateInput = z
  .object({ jobId: jobId.optional(), lastEventId: eventId.nullish() })
  .strict()
  .default({});
export type OnUpdateInput = z.infer<typeof onUpdateInput>;
