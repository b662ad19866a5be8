"use client";
import type { Participant } from "@/components/sessions/useSessionRoom";
import { Avatar, Badge, CardHeader, cx, ui } from "@/components/ui";
import styles from "./ParticipantsPanel.module.css";

export function ParticipantsPanel({
  participants,
  online,
  hostId,
  myId,
  capacity,
}: {
  participants: Participant[];
  online: Record<string, string[]>;
  hostId: string;
  myId: string;
  capacity: number;
}) {
  const isOnline = (p: Participant) => (online[p.userId]?.length ?? 0) > 0;
  const sorted = [...participants].sort(
    (a, b) =>
      Number(b.userId === hostId) - Number(a.userId === hostId) ||
      Number(isOnline(b)) - Number(isOnline(a)) ||
      a.name.localeCompare(b.name),
  );
  const here = participants.filter(isOnline).length;

  return (
    <section className={ui.card} aria-labelledby="people-title">
      <CardHeader
        titleId="people-title"
        title="People"
        description={
          <span data-testid="presence-summary">
            {here} online · {participants.length} of {capacity} joined
          </span>
        }
      />
      <ul className={styles.list} aria-label="Participants">
        {sorted.map((p) => {
          const on = isOnline(p);
          return (
            <li key={p.userId} className={styles.person} data-testid="participant" data-online={on} aria-label={`${p.name}${p.userId === myId ? " (you)" : ""}: ${on ? "online" : "away"}`}>
              <span className={styles.avatar}>
                <Avatar name={p.name} />
                <span className={styles.dot} data-online={on} aria-hidden="true" />
              </span>
              <span className={styles.text}>
                <span className={styles.name}>
                  <span className={styles.nameText}>{p.name}</span>
                  {p.userId === myId ? <span className={cx("subtle", styles.you)}>(you)</span> : null}
                  {p.userId === hostId ? (
                    <Badge tone="accent" className={styles.hostBadge}>
                      Host
                    </Badge>
                  ) : null}
                </span>
                <span className={styles.status}>{on ? "Online" : "Away"}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
