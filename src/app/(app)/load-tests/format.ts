/** How the Load tests page writes its numbers: the Analytics page's units, plus grades and changes. */
import type { Tone } from "@/components/ui";
import { SCENARIO_INFO, type LoadTestGrade, type LoadTestScenario, type LoadTestStatus } from "@/shared/load-tests";

export { formatBytes, formatCount, formatMs, formatPercent, formatRate } from "../analytics/format";

export const STATUS_LABEL: Record<LoadTestStatus, string> = { running: "Running", completed: "Completed", stopped: "Stopped", failed: "Failed" };
export const STATUS_TONE: Record<LoadTestStatus, Tone> = { running: "info", completed: "success", stopped: "warning", failed: "danger" };

export const GRADE_TONE: Record<LoadTestGrade, Tone> = { A: "success", B: "success", C: "warning", D: "warning", F: "danger" };

export const scenarioLabel = (scenario: LoadTestScenario) => SCENARIO_INFO[scenario].label;

/** 5, 4 → "5 × 4 s": connections by seconds, as the history lists a run's size. */
export function loadWords(connections: number, durationS: number): string {
  return `${connections.toLocaleString("en")} × ${durationS} s`;
}

/** +12.3 → "+12 %", -0.42 → "−0.4 %", null → "—". */
export function formatChange(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return "—";
  const abs = Math.abs(pct);
  const digits = abs >= 10 ? 0 : 1;
  if (abs < 0.05) return "0 %";
  return `${pct > 0 ? "+" : "−"}${abs.toFixed(digits)} %`;
}

/**
 * Whether a change is good news: latency and errors should fall, throughput should rise. A change
 * under 2 % is noise on a shared two-core machine, so it is neither.
 */
export function changeVerdict(pct: number | null, better: "lower" | "higher"): "better" | "worse" | "same" {
  if (pct === null || !Number.isFinite(pct) || Math.abs(pct) < 2) return "same";
  return (pct < 0) === (better === "lower") ? "better" : "worse";
}

/** The share of attempts that failed (0–1). */
export function errorRate(requests: number, errors: number): number {
  const attempts = requests + errors;
  return attempts ? errors / attempts : 0;
}
