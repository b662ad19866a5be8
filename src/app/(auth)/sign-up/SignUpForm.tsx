"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { ArrowRightIcon } from "@/components/icons";
import { PasswordField } from "@/components/PasswordField";
import { Button, ErrorRegion, Field, formStyles } from "@/components/ui";
import { useEnterApp } from "@/components/useSignedIn";
import { useTRPC } from "@/trpc/react";
import styles from "@/app/(auth)/auth.module.css";

export function SignUpForm() {
  const trpc = useTRPC();
  const { enter } = useEnterApp();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<FormError>(NO_ERROR);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const busy = signUp.isPending || signUp.isSuccess;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    signUp.mutate(
      { name, email, password },
      {
        onSuccess: ({ user }) => enter(user),
        onError: (err) => setError(toFormError(err)),
      },
    );
  }

  return (
    <form className={styles.form} method="post" onSubmit={onSubmit} noValidate aria-labelledby="sign-up-title">
      <div className={styles.heading}>
        <h1 className={styles.title} id="sign-up-title">
          Create your account
        </h1>
        <p className="muted">Join live sessions, chat with Claude and keep an eye on everything, in real time.</p>
      </div>
      <ErrorRegion message={error.message} />
      <div className={formStyles.form}>
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          placeholder="Ada Lovelace"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={error.fields.name}
          autoFocus
        />
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          inputMode="email"
          placeholder="you@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={error.fields.email}
        />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error.fields.password}
          hint="At least 8 characters."
        />
        <Button type="submit" variant="primary" size="lg" block loading={busy}>
          {busy ? "Creating your account…" : "Create account"}
          {busy ? null : <ArrowRightIcon size={16} />}
        </Button>
      </div>
      <p className={styles.switch}>
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </form>
  );
}
