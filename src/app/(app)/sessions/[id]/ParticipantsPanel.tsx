"use client";
import type { Participant } from "../../../../components/sessions/useSessionRoom";
import { Avatar, Badge, CardHeader, ui } from "../../../../components/ui";

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
      <ul className="people" aria-label="Participants">
        {sorted.map((p) => {
          const on = isOnline(p);
          return (
            <li key={p.userId} className="person" data-testid="participant" data-online={on} aria-label={`${p.name}${p.userId === myId ? " (you)" : ""}: ${on ? "online" : "away"}`}>
              <span className="person-avatar">
                <Avatar name={p.name} />
                <span className="presence-dot" data-online={on} aria-hidden="true" />
              </span>
              <span className="person-text">
                <span className="person-name">
                  <span className="person-name-text">{p.name}</span>
                  {p.userId === myId ? <span className="subtle">(you)</span> : null}
                  {p.userId === hostId ? <Badge tone="accent">Host</Badge> : null}
                </span>
                <span className="person-status">{on ? "Online" : "Away"}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
