"use client";
import { LockIcon, LogOutIcon } from "@/components/icons";
import { KIND, KindMark } from "@/components/sessions/kinds";
import { LifebuoyIcon } from "@/components/sessions/SessionIcons";
import { SessionLinkIndicator } from "@/components/sessions/SessionLinkIndicator";
import type { LinkState, RoomSession } from "@/components/sessions/useSessionRoom";
import { Badge, Button, cx, ui } from "@/components/ui";
import styles from "./RoomHeader.module.css";
import { RoomStatus } from "./RoomStatus";

/** The room's kind, status, title and description, its live link, and Ask for help / Leave. */
export function RoomHeader({
  session,
  link,
  canAskForHelp,
  onAskForHelp,
  onLeave,
  leaving,
}: {
  session: RoomSession;
  link: LinkState;
  canAskForHelp: boolean;
  onAskForHelp(): void;
  onLeave(): void;
  leaving: boolean;
}) {
  return (
    <header className={styles.header} data-testid="room-header">
      <KindMark kind={session.kind} size="lg" />
      <div className={styles.heading}>
        <div className={styles.tags}>
          <span className={cx(ui.pageEyebrow, styles.eyebrow)}>{KIND[session.kind].label}</span>
          <RoomStatus session={session} />
          {session.visibility === "private" ? (
            <Badge>
              <LockIcon size={12} /> Private
            </Badge>
          ) : null}
        </div>
        <h1 className={cx(ui.pageTitle, styles.title)}>{session.title}</h1>
        {session.description ? <p className={ui.pageDescription}>{session.description}</p> : null}
      </div>
      <div className={styles.actions}>
        <SessionLinkIndicator link={link} />
        {canAskForHelp ? (
          <Button onClick={onAskForHelp} className={styles.help}>
            <LifebuoyIcon size={15} />
            Ask for help
          </Button>
        ) : null}
        <Button variant="ghost" onClick={onLeave} loading={leaving}>
          {leaving ? null : <LogOutIcon size={15} />}
          Leave
        </Button>
      </div>
    </header>
  );
}
