/** The create dialog's form state, as typed, and the sessions.create input it becomes. */
import type { SessionKind } from "@/components/sessions/kinds";
import type { RouterInputs } from "@/trpc/types";

type CreateInput = RouterInputs["sessions"]["create"];

export const PRESETS: { name: string; seconds: [number, number, number, number] }[] = [
  { name: "Box", seconds: [4, 4, 4, 4] },
  { name: "Relax 4-7-8", seconds: [4, 7, 8, 0] },
  { name: "Coherent", seconds: [5, 0, 5, 0] },
];

export const PHASE_FIELDS = ["Inhale", "Hold (full)", "Exhale", "Hold (empty)"] as const;
export const PHASE_KEYS = ["inhaleMs", "holdInMs", "exhaleMs", "holdOutMs"] as const;

export interface Draft {
  kind: SessionKind;
  title: string;
  description: string;
  visibility: "public" | "private";
  capacity: string;
  durationMin: string;
  bell: boolean;
  bellMin: string;
  phases: [string, string, string, string];
  cycles: string;
  prompt: string;
}

export const EMPTY: Draft = {
  kind: "meditation",
  title: "",
  description: "",
  visibility: "public",
  capacity: "50",
  durationMin: "10",
  bell: true,
  bellMin: "2",
  phases: ["4", "4", "4", "4"],
  cycles: "10",
  prompt: "",
};

const ms = (value: string, unit: number) => Math.round(Number(value.replace(",", ".")) * unit);

export function toInput(draft: Draft): CreateInput {
  const base = {
    title: draft.title.trim(),
    description: draft.description.trim() || undefined,
    visibility: draft.visibility,
    capacity: Math.round(Number(draft.capacity)),
  };
  switch (draft.kind) {
    case "meditation":
      return {
        ...base,
        kind: "meditation",
        config: { durationMs: ms(draft.durationMin, 60_000), ...(draft.bell ? { bellIntervalMs: ms(draft.bellMin, 60_000) } : {}) },
      };
    case "breathing": {
      const [inhaleMs, holdInMs, exhaleMs, holdOutMs] = draft.phases.map((p) => ms(p || "0", 1_000)) as [number, number, number, number];
      return { ...base, kind: "breathing", config: { pattern: { inhaleMs, holdInMs, exhaleMs, holdOutMs }, cycles: Math.round(Number(draft.cycles)) } };
    }
    case "stress":
      return { ...base, kind: "stress", config: { prompt: draft.prompt.trim() || undefined } };
    case "collaboration":
      return { ...base, kind: "collaboration", config: {} };
  }
}
