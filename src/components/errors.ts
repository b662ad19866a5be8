import { TRPCClientError } from "@trpc/client";

/** What a form shows after a failed call: a sentence for the whole form, and per-field problems. */
export interface FormError {
  message: string | null;
  fields: Record<string, string | undefined>;
}

export const NO_ERROR: FormError = { message: null, fields: {} };

interface ErrorData {
  code?: string;
  /** The request's id (X-Request-Id): what a person quotes when they report the failure. */
  requestId?: string | null;
  httpStatus?: number;
  zodError?: { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null;
}

/**
 * Turns a tRPC failure into what a person should read. The server sends field problems as
 * `data.zodError.fieldErrors` and a human sentence as `message`.
 */
export function toFormError(error: unknown): FormError {
  if (!error) return NO_ERROR;
  if (error instanceof TRPCClientError) {
    const data = error.data as ErrorData | undefined;
    const fieldErrors = data?.zodError?.fieldErrors ?? {};
    const fields: Record<string, string | undefined> = {};
    for (const [name, messages] of Object.entries(fieldErrors)) {
      if (messages?.length) fields[name] = messages[0];
    }
    if (Object.keys(fields).length) {
      const formErrors = data?.zodError?.formErrors ?? [];
      return { message: formErrors[0] ?? "Please check the highlighted fields.", fields };
    }
    if (!data) return { message: "Pulse can't be reached right now. Check your connection and try again.", fields };
    return { message: error.message || "Something went wrong. Please try again.", fields };
  }
  return { message: error instanceof Error ? error.message : "Something went wrong. Please try again.", fields: {} };
}

/** Just the sentence, for errors outside forms (a failed revoke, a query that failed). */
export function errorMessage(error: unknown): string {
  return toFormError(error).message ?? "Something went wrong. Please try again.";
}

/** The failed request's id, when the server sent one: shown beside the error so it can be quoted. */
export function errorReference(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  const id = (error.data as ErrorData | undefined)?.requestId;
  return typeof id === "string" && id ? id : null;
}
