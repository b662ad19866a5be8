/** The inputs of `admin.*`. */
import { z } from "zod";
import { eventId, text } from "@/shared/input";
import { BROADCAST_LEVELS, SYSTEM_LIMITS } from "@/shared/system";

export const setMaintenanceInput = z
  .object({
    on: z.boolean("on is true or false."),
    /** Shown in the banner and in every refusal while it is on. */
    message: text().trim().max(SYSTEM_LIMITS.maintenanceMessage, `The message is at most ${SYSTEM_LIMITS.maintenanceMessage} characters.`).optional(),
  })
  .strict();

export const broadcastInput = z
  .object({
    text: text().trim().min(1, "Write the message.").max(SYSTEM_LIMITS.broadcastText, `A broadcast is at most ${SYSTEM_LIMITS.broadcastText} characters.`),
    level: z.enum(BROADCAST_LEVELS, `level is one of ${BROADCAST_LEVELS.join(", ")}.`).optional(),
  })
  .strict();

export const broadcastsInput = z
  .object({ limit: z.number().int().min(1).max(50).default(10) })
  .strict()
  .default({ limit: 10 });

const { auditPage } = SYSTEM_LIMITS;

export const auditLogInput = z
  .object({
    /** A whole action (`auth.signIn`) or a prefix ending in a dot (`auth.`). */
    action: text()
      .trim()
      .min(1)
      .max(SYSTEM_LIMITS.auditAction)
      .regex(/^[A-Za-z0-9_.:-]+$/, "An action is letters, digits and . _ : - (e.g. auth.signIn, or auth. for every sign-in action).")
      .optional(),
    actorId: z.uuid("actorId is a user's id (a UUID).").optional(),
    /** The id of the last entry of the previous page (`nextCursor`). */
    cursor: eventId.optional(),
    limit: z.number().int().min(1).max(auditPage.max).default(auditPage.default),
  })
  .strict()
  .default({ limit: auditPage.default });
