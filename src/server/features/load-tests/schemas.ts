/** The inputs of `loadTest.*`: every bound checked here, so an out-of-bound run is BAD_REQUEST naming the field. */
import { z } from "zod";
import { eventId } from "@/shared/input";
import { LOAD_TEST_LIMITS, LOAD_TEST_SCENARIOS, LOAD_TEST_STATUSES } from "@/shared/load-tests";

const { connections, durationS, ratePerS } = LOAD_TEST_LIMITS;

export const startInput = z
  .object({
    scenario: z.enum(LOAD_TEST_SCENARIOS, `scenario is one of ${LOAD_TEST_SCENARIOS.join(", ")}.`),
    connections: z
      .number()
      .int("connections is a whole number.")
      .min(connections.min, `connections is at least ${connections.min}.`)
      .max(connections.max, `connections is at most ${connections.max}.`),
    durationS: z
      .number()
      .int("durationS is a whole number of seconds.")
      .min(durationS.min, `durationS is at least ${durationS.min} second.`)
      .max(durationS.max, `durationS is at most ${durationS.max} seconds.`),
    ratePerS: z
      .number()
      .int("ratePerS is a whole number.")
      .min(ratePerS.min, `ratePerS is at least ${ratePerS.min}.`)
      .max(ratePerS.max, `ratePerS is at most ${ratePerS.max}.`)
      .optional(),
  })
  .strict();
export type StartInput = z.infer<typeof startInput>;

export const runIdInput = z.object({ runId: z.uuid("runId is a run's id (a UUID).") }).strict();

export const listInput = z
  .object({
    scenario: z.enum(LOAD_TEST_SCENARIOS).optional(),
    status: z.enum(LOAD_TEST_STATUSES).optional(),
    /** The id of the last run of the previous page. */
    cursor: z.uuid().optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .strict()
  .default({ limit: 20 });
export type ListInput = z.infer<typeof listInput>;

export const progressInput = z.object({ runId: z.uuid("runId is a run's id (a UUID)."), lastEventId: eventId.optional() }).strict();
export type ProgressInput = z.infer<typeof progressInput>;

export const exportInput = z.object({ runId: z.uuid("runId is a run's id (a UUID)."), format: z.enum(["csv", "pdf"], "format is csv or pdf.") }).strict();
export type ExportInput = z.infer<typeof exportInput>;
