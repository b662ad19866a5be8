"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useShell, type Me } from "@/components/AppShell";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { formatDate } from "@/components/time";
import { Avatar, Badge, Button, Card, CardBody, CardHeader, cx, ErrorRegion, Field, formStyles } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import { Flash, useFlash } from "./Flash";
import styles from "./ProfileCard.module.css";

/** Who you are, and your display name, which you can change. */
export function ProfileCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useShell();
  const [name, setName] = useState(me.name);
  const [error, setError] = useState<FormError>(NO_ERROR);
  const [flash, setFlash] = useFlash();
  const update = useMutation(trpc.users.update.mutationOptions());
  const changed = name.trim() !== me.name;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    if (!name.trim()) {
      setError({ message: null, fields: { name: "Enter your name." } });
      return;
    }
    update.mutate(
      { name: name.trim() },
      {
        onSuccess: (user) => {
          const next: Me = { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt };
          queryClient.setQueryData(trpc.auth.me.queryKey(), next);
          setName(user.name);
          setFlash("Profile saved");
        },
        onError: (err) => setError(toFormError(err)),
      },
    );
  }

  return (
    <Card aria-labelledby="profile-title">
      <CardHeader titleId="profile-title" title="Profile" description="How you appear to other people in Pulse." />
      <CardBody>
        <div className={styles.head}>
          <Avatar name={me.name} size="lg" />
          <div className={styles.who}>
            <div className={styles.nameRow}>
              <strong className={styles.name} data-testid="profile-name">
                {me.name}
              </strong>
              <Badge tone={me.role === "ADMIN" ? "accent" : "neutral"}>{me.role === "ADMIN" ? "Admin" : "Member"}</Badge>
            </div>
            <span className={cx("muted", styles.email)}>
              {me.email} · member since {formatDate(me.createdAt)}
            </span>
          </div>
        </div>
        <form className={formStyles.form} onSubmit={onSubmit} noValidate>
          <ErrorRegion message={error.message} />
          <div className={formStyles.formRow}>
            <Field
              label="Display name"
              name="name"
              autoComplete="name"
              maxLength={80}
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={error.fields.name}
            />
            <Field label="Email" value={me.email} readOnly hint={undefined} />
          </div>
          <div className={formStyles.formActions}>
            <Button type="submit" variant="primary" loading={update.isPending} disabled={!changed}>
              Save changes
            </Button>
            <Flash message={flash} />
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
