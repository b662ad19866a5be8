/** The start form's values checked against the same bounds the server holds (src/shared/load-tests.ts). */
import { LOAD_TEST_LIMITS, type LoadTestScenario } from "@/shared/load-tests";

export interface StartValues {
  connections: string;
  durationS: string;
  ratePerS: string;
}

export type StartField = keyof StartValues;

export interface Bound {
  min: number;
  max: number;
}

/** Chat streams and a websocket run's publisher have tighter bounds than the rest. */
export function boundsFor(limits: typeof LOAD_TEST_LIMITS, scenario: LoadTestScenario): Record<StartField, Bound> {
  return {
    connections: { min: limits.connections.min, max: scenario === "chat" ? limits.chatConnections.max : limits.connections.max },
    durationS: { min: limits.durationS.min, max: limits.durationS.max },
    ratePerS: { min: limits.ratePerS.min, max: scenario === "websocket" ? limits.websocketRate.max : limits.ratePerS.max },
  };
}

const NAMES: Record<StartField, string> = { connections: "Connections", durationS: "Duration", ratePerS: "Rate" };

function check(field: StartField, raw: string, bound: Bound, optional: boolean): string | undefined {
  const text = raw.trim();
  if (!text) return optional ? undefined : `${NAMES[field]} is required.`;
  const value = Number(text);
  if (!Number.isFinite(value) || !Number.isInteger(value)) return `${NAMES[field]} is a whole number.`;
  if (value < bound.min) return `${NAMES[field]} is at least ${bound.min.toLocaleString("en")}.`;
  if (value > bound.max) return `${NAMES[field]} is at most ${bound.max.toLocaleString("en")}.`;
  return undefined;
}

/** Field → problem, for the fields that have one. */
export function validateStart(values: StartValues, bounds: Record<StartField, Bound>): Partial<Record<StartField, string>> {
  const problems: Partial<Record<StartField, string>> = {};
  for (const field of ["connections", "durationS", "ratePerS"] as const) {
    const problem = check(field, values[field], bounds[field], field === "ratePerS");
    if (problem) problems[field] = problem;
  }
  return problems;
}
