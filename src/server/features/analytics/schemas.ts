/** The inputs of `analytics.*`: every filter bounded, unknown keys refused (BAD_REQUEST naming the field). */
import { z } from "zod";
import { DEFAULT_WINDOW_S, MAX_WINDOW_S, MIN_WINDOW_S } from "@/shared/analytics";
import { text } from "@/shared/input";

const windowS = z
  .number()
  .int("windowS is a whole number of seconds.")
  .min(MIN_WINDOW_S, `windowS is at least ${MIN_WINDOW_S} (one minute).`)
  .max(MAX_WINDOW_S, `windowS is at most ${MAX_WINDOW_S} (seven days).`);

/** A route as the measurements name it: `trpc:health.ping`, `GET /api/files/:id/download`, `*`. */
const route = text().trim().min(1).max(300);

export const performanceInput = z
  .object({ windowS: windowS.default(DEFAULT_WINDOW_S), route: route.optional() })
  .strict()
  .default({ windowS: DEFAULT_WINDOW_S });
export type PerformanceInput = z.infer<typeof performanceInput>;

export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx"] as const;
/** The request log keeps 24 hours. */
const LOG_WINDOW_MAX_S = 24 * 60 * 60;

export const requestsInput = z
  .object({
    method: text().max(20, "method is an HTTP method (GET, POST…) or WS.").trim().toUpperCase().regex(/^[A-Z]{2,10}$/, "method is an HTTP method (GET, POST…) or WS.").optional(),
    /** A part of the path (case-insensitive). */
    path: text().trim().min(1).max(300).optional(),
    status: z.number().int().min(100, "status is an HTTP status (100–599).").max(599, "status is an HTTP status (100–599).").optional(),
    statusClass: z.enum(STATUS_CLASSES, { error: `statusClass is one of ${STATUS_CLASSES.join(", ")}.` }).optional(),
    minDurationMs: z.number().min(0, "minDurationMs cannot be negative.").max(3_600_000).optional(),
    userId: z.uuid("userId is a user's id.").optional(),
    transport: z.enum(["http", "ws"]).optional(),
    windowS: z.number().int().min(MIN_WINDOW_S).max(LOG_WINDOW_MAX_S, `windowS is at most ${LOG_WINDOW_MAX_S}: the request log keeps 24 hours.`).optional(),
    /** The `nextCursor` of the previous page. */
    cursor: text().max(19, "That is not a cursor from this list.").regex(/^[1-9]\d{0,18}$/, "That is not a cursor from this list.").nullish(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict()
  .refine((input) => input.status === undefined || input.statusClass === undefined, { message: "Give status or statusClass, not both.", path: ["statusClass"] })
  .default({ limit: 50 });
export type RequestsInput = z.infer<typeof requestsInput>;

export const errorsInput = z
  .object({
    windowS: windowS.default(24 * 60 * 60),
    kind: z.enum(["server", "client"]).optional(),
    route: route.optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict()
  .default({ windowS: 24 * 60 * 60, limit: 50 });
export type ErrorsInput = z.infer<typeof errorsInput>;

export const systemInput = z
  .object({ windowS: windowS.default(DEFAULT_WINDOW_S) })
  .strict()
  .default({ windowS: DEFAULT_WINDOW_S });
export type SystemInput = z.infer<typeof systemInput>;
