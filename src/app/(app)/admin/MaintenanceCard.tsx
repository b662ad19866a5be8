"use client";
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { useSystem } from "@/components/system/SystemProvider";
import { formatDateTime } from "@/components/time";
import { Alert, Badge, Button, Card, CardBody, CardHeader, ErrorRegion, Field, Skeleton, formStyles } from "@/components/ui";
import { SYSTEM_LIMITS } from "@/shared/system";
import { useTRPC } from "@/trpc/react";
import styles from "./Admin.module.css";

/** Maintenance mode: its state as every instance has it (live), and the switch with its message. */
export function MaintenanceCard() {
  const trpc = useTRPC();
  const titleId = useId();
  const { maintenance, applyMaintenance } = useSystem();
  // Untouched, the field shows the message in force.
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<FormError>(NO_ERROR);
  const [done, setDone] = useState<string | null>(null);
  const setMaintenance = useMutation(trpc.admin.setMaintenance.mutationOptions());
  const on = maintenance?.on ?? false;
  const message = draft ?? maintenance?.message ?? "";
  const [asked, setAsked] = useState<"on" | "off" | "update" | null>(null);

  function send(next: boolean, what: "on" | "off" | "update") {
    setError(NO_ERROR);
    setDone(null);
    setAsked(what);
    setMaintenance.mutate(
      { on: next, message: next ? message.trim() || undefined : undefined },
      {
        onSuccess: (state) => {
          applyMaintenance(state);
          setDraft(null);
          setDone(what === "update" ? "The message is updated everywhere." : state.on ? "Maintenance mode is on: everyone sees the banner." : "Maintenance mode is off: changes are open again.");
        },
        onError: (err) => setError(toFormError(err)),
      },
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    send(true, on ? "update" : "on");
  }

  return (
    <Card aria-labelledby={titleId} data-testid="maintenance-card">
      <CardHeader
        titleId={titleId}
        title="Maintenance mode"
        description="While it is on, only admins can change anything. Everyone can still sign in, look around and follow live pages."
      />
      <CardBody>
        {maintenance ? (
          <div className={styles.state}>
            <Badge tone={on ? "warning" : "success"} dot data-testid="maintenance-state">
              {on ? "On" : "Off"}
            </Badge>
            {maintenance.changedAt ? (
              <span className={styles.since}>
                {on ? "Since" : "Last switched"} {formatDateTime(maintenance.changedAt)}
                {maintenance.changedBy ? ` by ${maintenance.changedBy.name}` : ""}
              </span>
            ) : (
              <span className={styles.since}>Never switched on.</span>
            )}
          </div>
        ) : (
          <Skeleton height={24} width={180} style={{ marginBottom: 16 }} />
        )}
        <form className={formStyles.form} onSubmit={onSubmit} noValidate>
          <ErrorRegion message={error.fields.message ? null : error.message} />
          <Field
            label="Message for everyone"
            name="maintenance-message"
            maxLength={SYSTEM_LIMITS.maintenanceMessage}
            placeholder="e.g. Upgrading the database; back by 15:00 UTC."
            value={message}
            onChange={(e) => setDraft(e.target.value)}
            error={error.fields.message}
            hint="Shown in the banner on every page, and with every change that is refused."
          />
          <div className={formStyles.formActions}>
            {on ? (
              <>
                <Button variant="primary" onClick={() => send(false, "off")} loading={setMaintenance.isPending && asked === "off"} disabled={setMaintenance.isPending}>
                  Turn maintenance off
                </Button>
                <Button type="submit" loading={setMaintenance.isPending && asked === "update"} disabled={setMaintenance.isPending || message.trim() === maintenance?.message}>
                  Update message
                </Button>
              </>
            ) : (
              <Button type="submit" variant="danger" loading={setMaintenance.isPending} disabled={!maintenance}>
                Turn maintenance on
              </Button>
            )}
          </div>
          <div role="status" aria-live="polite">
            {done ? <Alert tone="success">{done}</Alert> : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
