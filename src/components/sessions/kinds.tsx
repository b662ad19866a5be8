/** The four kinds of live session and their statuses: names, icons, colours, one-line summaries. */
import type { Tone } from "@/components/ui";
import { Badge, cx } from "@/components/ui";
import styles from "./kinds.module.css";
import { formatSeconds, formatSpan, type SessionState } from "./timing";
import { BreathIcon, HeartPulseIcon, LotusIcon, PenDocIcon } from "./SessionIcons";
import type { SessionKind, SessionStatus } from "@/shared/sessions/kinds";

// The values live in src/shared (the server's schemas use them too); pages may import them from here.
export { SESSION_KINDS, SESSION_STATUSES, type SessionKind, type SessionStatus } from "@/shared/sessions/kinds";
export { MESSAGE_MAX_CHARS } from "@/shared/sessions/limits";

export const KIND: Record<SessionKind, { label: string; blurb: string; Icon: typeof LotusIcon }> = {
  meditation: { label: "Meditation", blurb: "Sit together through one shared timer, with a bell.", Icon: LotusIcon },
  breathing: { label: "Breathing", blurb: "A guided pattern everyone breathes on the same beat.", Icon: BreathIcon },
  stress: { label: "Stress check-in", blurb: "Say how you feel and see the group's picture, live.", Icon: HeartPulseIcon },
  collaboration: { label: "Collaboration", blurb: "One shared document, edited together, plus chat.", Icon: PenDocIcon },
};

/** What a page shows: the server's status, or "complete" once a live session's timer has run out. */
export type ShownStatus = SessionStatus | "complete";

export const STATUS: Record<ShownStatus, { label: string; tone: Tone }> = {
  scheduled: { label: "Not started", tone: "info" },
  live: { label: "Live", tone: "success" },
  paused: { label: "Paused", tone: "warning" },
  complete: { label: "Complete", tone: "accent" },
  ended: { label: "Ended", tone: "neutral" },
};

export function StatusPill({ status }: { status: ShownStatus }) {
  const { label, tone } = STATUS[status];
  return (
    <Badge tone={tone} dot className={status === "live" ? styles.liveBadge : undefined} data-testid="session-status">
      {label}
    </Badge>
  );
}

/**
 * The class that gives an element its kind's colours (--kind, --kind-2, --kind-soft,
 * --kind-text), with `data-kind={kind}` beside it.
 */
export const kindClass = styles.kind;

/** The kind's tile: its icon on its own tint. */
export function KindMark({ kind, size = "md", className }: { kind: SessionKind; size?: "sm" | "md" | "lg"; className?: string }) {
  const { Icon } = KIND[kind];
  return (
    <span className={cx(styles.kind, styles.mark, size !== "md" && styles[size], className)} data-kind={kind} aria-hidden="true">
      <Icon size={size === "lg" ? 24 : size === "sm" ? 15 : 19} />
    </span>
  );
}

/** "10 min · bell every 2 min", "4 · 4 · 4 · 4 s · 10 cycles", the check-in prompt… */
export function stateSummary(state: SessionState): string {
  switch (state.kind) {
    case "meditation":
      return `${formatSpan(state.durationMs)}${state.bellIntervalMs ? ` · bell every ${formatSpan(state.bellIntervalMs)}` : ""}`;
    case "breathing": {
      const p = state.pattern;
      return `${[p.inhaleMs, p.holdInMs, p.exhaleMs, p.holdOutMs].map(formatSeconds).join("·")} s · ${state.cycles} ${state.cycles === 1 ? "cycle" : "cycles"}`;
    }
    case "stress":
      return state.prompt ?? "How are you feeling right now?";
    case "collaboration":
      return "Shared document and chat";
  }
}
