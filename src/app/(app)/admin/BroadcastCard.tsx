"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { formatRelative, useNow } from "@/components/time";
import { Alert, Badge, Button, Card, CardBody, CardHeader, ErrorRegion, LoadError, Skeleton, cx, formStyles, ui, type Tone } from "@/components/ui";
import { BROADCAST_LEVELS, SYSTEM_LIMITS, type BroadcastLevel } from "@/shared/system";
import { useTRPC } from "@/trpc/react";
import styles from "./Admin.module.css";

const LEVEL_LABEL: Record<BroadcastLevel, string> = { info: "Info", warning: "Warning", critical: "Critical" };
const LEVEL_TONE: Record<BroadcastLevel, Tone> = { info: "info", warning: "warning", critical: "danger" };
const RECENT = 5;

/** A message to everyone signed in (a toast on every page, kept as unread for who is away), and the last few sent. */
export function BroadcastCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const titleId = useId();
  const textId = useId();
  const [text, setText] = useState("");
  const [level, setLevel] = useState<BroadcastLevel>("info");
  const [error, setError] = useState<FormError>(NO_ERROR);
  const [sent, setSent] = useState(false);
  const now = useNow(30_000);
  const broadcast = useMutation(trpc.admin.broadcast.mutationOptions());
  const recent = useQuery(trpc.admin.broadcasts.queryOptions({ limit: RECENT }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    setSent(false);
    if (!text.trim()) {
      setError({ message: null, fields: { text: "Write the message." } });
      return;
    }
    broadcast.mutate(
      { text: text.trim(), level },
      {
        onSuccess: () => {
          setText("");
          setLevel("info");
          setSent(true);
          void queryClient.invalidateQueries({ queryKey: trpc.admin.broadcasts.pathKey() });
        },
        onError: (err) => setError(toFormError(err)),
      },
    );
  }

  const textError = error.fields.text;
  return (
    <Card aria-labelledby={titleId} data-testid="broadcast-card">
      <CardHeader titleId={titleId} title="Broadcast" description="A message to everyone signed in, shown at once; whoever is away sees it when they come back." />
      <CardBody>
        <form className={formStyles.form} onSubmit={onSubmit} noValidate>
          <ErrorRegion message={textError ? null : error.message} />
          <div className={ui.field}>
            <div className={ui.labelRow}>
              <label className={ui.label} htmlFor={textId}>
                Message
              </label>
              <span className={styles.count} aria-hidden="true">
                {text.length} / {SYSTEM_LIMITS.broadcastText}
              </span>
            </div>
            <textarea
              id={textId}
              name="broadcast-text"
              className={cx(ui.input, styles.textarea)}
              rows={3}
              maxLength={SYSTEM_LIMITS.broadcastText}
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={textError ? true : undefined}
              aria-describedby={`${textId}-note`}
            />
            <p className={textError ? ui.fieldError : ui.hint} id={`${textId}-note`}>
              {textError ?? `Up to ${SYSTEM_LIMITS.broadcastText} characters, plain text.`}
            </p>
          </div>
          <fieldset className={styles.levels}>
            <legend className={ui.label}>Level</legend>
            {BROADCAST_LEVELS.map((l) => (
              <label key={l} className={styles.level}>
                <input type="radio" name="broadcast-level" value={l} checked={level === l} onChange={() => setLevel(l)} />
                {LEVEL_LABEL[l]}
              </label>
            ))}
          </fieldset>
          <div className={formStyles.formActions}>
            <Button type="submit" variant="primary" loading={broadcast.isPending}>
              Send to everyone
            </Button>
          </div>
          <div role="status" aria-live="polite">
            {sent ? <Alert tone="success">Sent to everyone signed in.</Alert> : null}
          </div>
        </form>

        <h3 className={styles.recentTitle}>Recently sent</h3>
        {recent.isError ? (
          <LoadError title="Recent broadcasts can't be loaded" error={recent.error} onRetry={() => void recent.refetch()} />
        ) : recent.isPending ? (
          <Skeleton height={48} />
        ) : recent.data.length === 0 ? (
          <p className="subtle">Nothing sent yet.</p>
        ) : (
          <ul className={styles.recent} data-testid="recent-broadcasts">
            {recent.data.map((b) => (
              <li key={b.id} className={styles.recentItem}>
                <p>{b.text}</p>
                <span className={styles.recentMeta}>
                  <Badge tone={LEVEL_TONE[b.level]}>{LEVEL_LABEL[b.level]}</Badge>
                  {b.author ? `${b.author.name} · ` : ""}
                  {formatRelative(b.createdAt, now)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
