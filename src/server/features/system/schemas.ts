import { z } from "zod";
import { eventId } from "@/shared/input";

/** Without `lastEventId`: from now (take it from `system.status` so nothing falls between the two). */
export const eventsInput = z.object({ lastEventId: eventId.optional() }).strict().default({});

export const markReadInput = z.object({ upToId: eventId }).strict();
