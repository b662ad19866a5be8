"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ConfirmButton } from "@/components/ConfirmButton";
import { CopyButton } from "@/components/CopyButton";
import { errorMessage, NO_ERROR, toFormError, type FormError } from "@/components/errors";
import { CheckCircleIcon, KeyIcon, PlusIcon } from "@/components/icons";
import { formatDate, formatRelative, useNow } from "@/components/time";
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardHeader,
  cx,
  EmptyState,
  ErrorRegion,
  Field,
  formStyles,
  Table,
  tableStyles as t,
} from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import account from "./account.module.css";
import styles from "./ApiTokensCard.module.css";
import { Flash, useFlash } from "./Flash";
import { TableSkeleton } from "./TableSkeleton";

type ApiToken = RouterOutputs["auth"]["listApiTokens"][number];

/** Personal API tokens: create one (its secret shown once), see when each was used, revoke. */
export function ApiTokensCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(15_000);
  const tokens = useQuery(trpc.auth.listApiTokens.queryOptions());
  const create = useMutation(trpc.auth.createApiToken.mutationOptions());
  const revoke = useMutation(trpc.auth.revokeApiToken.mutationOptions());
  const [name, setName] = useState("");
  const [formError, setFormError] = useState<FormError>(NO_ERROR);
  const [created, setCreated] = useState<{ id: string; name: string; token: string } | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [flash, setFlash] = useFlash();

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setFormError(NO_ERROR);
    create.mutate(
      { name },
      {
        onSuccess: (result) => {
          setCreated({ id: result.id, name: result.name, token: result.token });
          setName("");
          void queryClient.invalidateQueries({ queryKey: trpc.auth.listApiTokens.queryKey() });
        },
        onError: (err) => setFormError(toFormError(err)),
      },
    );
  }

  function onRevoke(token: ApiToken) {
    setError(null);
    setRevoking(token.id);
    revoke.mutate(
      { tokenId: token.id },
      {
        onSuccess: () => {
          queryClient.setQueryData(trpc.auth.listApiTokens.queryKey(), (list) => list?.filter((t) => t.id !== token.id));
          void queryClient.invalidateQueries({ queryKey: trpc.auth.listApiTokens.queryKey() });
          // A revoked secret is worthless: stop inviting people to copy it.
          setCreated((shown) => (shown?.id === token.id ? null : shown));
          setFlash(`Revoked “${token.name}”`);
        },
        onError: (err) => setError(errorMessage(err)),
        onSettled: () => setRevoking(null),
      },
    );
  }

  const list = tokens.data ?? [];

  return (
    <Card aria-labelledby="tokens-title">
      <CardHeader
        titleId="tokens-title"
        title="API tokens"
        description={
          <>
            Let your programs call Pulse as you. Send a token as <code>Authorization: Bearer …</code> over HTTP, or as{" "}
            <code>token</code> in the WebSocket connection params.
          </>
        }
        actions={<Flash message={flash} />}
      />
      <CardBody className={styles.body}>
        <form onSubmit={onCreate} noValidate className={cx(formStyles.form, styles.createForm)}>
          <ErrorRegion message={formError.fields.name ? null : formError.message} />
          <div className={formStyles.formRow}>
            <Field
              label="New token name"
              name="tokenName"
              placeholder="e.g. CI pipeline"
              maxLength={60}
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={formError.fields.name}
              hint="A name to recognise it by later."
            />
            <Button type="submit" variant="primary" loading={create.isPending} className={formStyles.formRowButton}>
              {create.isPending ? null : <PlusIcon size={15} />}
              Create token
            </Button>
          </div>
        </form>
        {created ? (
          <div className={styles.secret} role="status" aria-live="polite" data-testid="new-token">
            <div className={styles.secretHead}>
              <CheckCircleIcon size={18} />
              <div className={styles.secretText}>
                <strong>Token “{created.name}” created</strong>
                <span className={styles.secretNote}>Copy it now and keep it somewhere safe — Pulse will not show it again.</span>
              </div>
            </div>
            <div className={styles.secretValue}>
              <code aria-label="New API token" data-testid="new-token-value">
                {created.token}
              </code>
              <CopyButton text={created.token} />
            </div>
            <div>
              <Button size="sm" variant="ghost" onClick={() => setCreated(null)}>
                I&apos;ve saved it — hide the token
              </Button>
            </div>
          </div>
        ) : null}
        {error ? (
          <Alert tone="danger" role="alert">
            {error}
          </Alert>
        ) : null}
      </CardBody>
      <div className={styles.list}>
        {tokens.isPending ? (
          <TableSkeleton columns={4} />
        ) : tokens.isError ? (
          <div className={account.insetEnd}>
            <Alert tone="danger" role="alert">
              {errorMessage(tokens.error)}
            </Alert>
          </div>
        ) : list.length === 0 ? (
          <div className={styles.empty}>
            <EmptyState icon={<KeyIcon size={20} />} title="No API tokens yet">
              Create one above to use Pulse from a script or another service.
            </EmptyState>
          </div>
        ) : (
          <Table aria-labelledby="tokens-title">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className={t.hideSm}>
                    Token
                  </th>
                  <th scope="col" className={t.hideSm}>
                    Created
                  </th>
                  <th scope="col">Last used</th>
                  <th scope="col" className={t.actions}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((token) => (
                  <tr key={token.id} data-testid="api-token">
                    <td>
                      <div className={t.stack}>
                        <span className={t.icon}>
                          <KeyIcon size={15} />
                        </span>
                        <span className={t.primary}>{token.name}</span>
                      </div>
                    </td>
                    <td className={t.hideSm}>
                      <code>{token.prefix}…</code>
                    </td>
                    <td className={cx(t.hideSm, "nowrap")}>{formatDate(token.createdAt)}</td>
                    <td className="nowrap">{token.lastUsedAt ? formatRelative(token.lastUsedAt, now) : <span className="subtle">Never</span>}</td>
                    <td className={t.actions}>
                      <ConfirmButton
                        label={`Revoke token ${token.name}`}
                        confirmLabel="Revoke token"
                        loading={revoking === token.id}
                        onConfirm={() => onRevoke(token)}
                      >
                        Revoke
                      </ConfirmButton>
                    </td>
                  </tr>
                ))}
              </tbody>
          </Table>
        )}
      </div>
    </Card>
  );
}
