"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState, type FormEvent } from "react";
import { NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { ArrowRightIcon } from "@/components/icons";
import { PasswordField } from "@/components/PasswordField";
import { Alert, Button, ErrorRegion, Field, formStyles } from "@/components/ui";
import { useEnterApp } from "@/components/useSignedIn";
import { useTRPC } from "@/trpc/react";
import styles from "@/app/(auth)/auth.module.css";

export function SignInForm() {
  const trpc = useTRPC();
  const { enter } = useEnterApp();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<FormError>(NO_ERROR);
  const [notice, setNotice] = useState<string | null>(null);
  const signIn = useMutation(trpc.auth.signIn.mutationOptions());

  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    if (params.has("signed-out")) setNotice("You've signed out. See you soon.");
    else if (params.has("next")) setNotice("Sign in to continue.");
  }, []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(NO_ERROR);
    setNotice(null);
    signIn.mutate(
      { email, password },
      {
        onSuccess: ({ user }) => enter(user),
        onError: (err) => setError(toFormError(err)),
      },
    );
  }

  return (
    <form className={styles.form} method="post" onSubmit={onSubmit} noValidate aria-labelledby="sign-in-title">
      <div className={styles.heading}>
        <h1 className={styles.title} id="sign-in-title">
          Welcome back
        </h1>
        <p className="muted">Sign in to your Pulse account.</p>
      </div>
      {notice ? (
        <Alert tone={notice.startsWith("You've") ? "success" : "info"} role="status">
          {notice}
        </Alert>
      ) : null}
      <ErrorRegion message={error.message} />
      <div className={formStyles.form}>
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
          autoFocus
        />
        <PasswordField
          label="Password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error.fields.password}
        />
        <Button type="submit" variant="primary" size="lg" block loading={signIn.isPending || signIn.isSuccess}>
          {signIn.isPending || signIn.isSuccess ? "Signing in…" : "Sign in"}
          {signIn.isPending || signIn.isSuccess ? null : <ArrowRightIcon size={16} />}
        </Button>
      </div>
      <p className={styles.switch}>
        New to Pulse? <Link href="/sign-up">Create an account</Link>
      </p>
    </form>
  );
}
