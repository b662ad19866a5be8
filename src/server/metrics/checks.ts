/** Health checks: graded figures that make up `/health` and `health.check`. */
export type CheckStatus = "ok" | "degraded" | "unhealthy";

export interface Check {
  status: CheckStatus;
  detail: string;
  value?: number;
}

/** A check a feature adds to the health snapshot (its module's `checks`): cheap, and never throws. */
export type CheckProvider = () => Check | Promise<Check>;

/** Thresholds: [degraded at, unhealthy at]. */
export function grade(value: number, [degradedAt, unhealthyAt]: readonly [number, number]): CheckStatus {
  return value >= unhealthyAt ? "unhealthy" : value >= degradedAt ? "degraded" : "ok";
}
