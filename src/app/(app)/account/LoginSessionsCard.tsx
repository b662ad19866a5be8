"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmButton } from "@/components/ConfirmButton";
import { errorMessage } from "@/components/errors";
import { LaptopIcon, PhoneIcon, TerminalIcon } from "@/components/icons";
import { formatDateTime, formatRelative, useNow } from "@/components/time";
import { Alert, Badge, Card, CardBody, CardFooter, CardHeader, cx, Table, tableStyles as t } from "@/components/ui";
import { useTRPC } from "@/trpc/react";
import type { RouterOutputs } from "@/trpc/types";
import styles from "./account.module.css";
import { Flash, useFlash } from "./Flash";
import { TableSkeleton } from "./TableSkeleton";

type LoginSession = RouterOutputs["auth"]["sessions"][number];

function DeviceIcon({ device }: { device: string }) {
  if (/program/i.test(device)) return <TerminalIcon size={16} />;
  if (/iOS|Android/.test(device)) return <PhoneIcon size={16} />;
  return <LaptopIcon size={16} />;
}

/** Where this account is signed in, each revocable but this device's. */
export function LoginSessionsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(15_000);
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const revoke = useMutation(trpc.auth.revokeSession.mutationOptions());
  const [revoking, setRevoking] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [flash, setFlash] = useFlash();

  function onRevoke(session: LoginSession) {
    setError(null);
    setRevoking(session.id);
    revoke.mutate(
      { sessionId: session.id },
      {
        onSuccess: () => {
          queryClient.setQueryData(trpc.auth.sessions.queryKey(), (list) => list?.filter((s) => s.id !== session.id));
          void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
          setFlash(`Signed out ${session.device}`);
        },
        onError: (err) => setError(errorMessage(err)),
        onSettled: () => setRevoking(null),
      },
    );
  }

  const list = sessions.data ?? [];
  const others = list.filter((s) => !s.current).length;

  return (
    <Card aria-labelledby="sessions-title">
      <CardHeader
        titleId="sessions-title"
        title="Login sessions"
        description="Browsers and devices signed in to your account. Revoke any you don't recognise: they are signed out at once."
        actions={<Flash message={flash} />}
      />
      <CardBody flush>
        {error ? (
          <div className={styles.inset}>
            <Alert tone="danger" role="alert">
              {error}
            </Alert>
          </div>
        ) : null}
        {sessions.isPending ? (
          <TableSkeleton columns={4} />
        ) : sessions.isError ? (
          <div className={styles.insetEnd}>
            <Alert tone="danger" role="alert">
              {errorMessage(sessions.error)}
            </Alert>
          </div>
        ) : (
          <Table aria-labelledby="sessions-title">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col" className={t.hideSm}>
                  IP address
                </th>
                <th scope="col">Last active</th>
                <th scope="col" className={t.actions}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((session) => (
                <tr key={session.id} data-testid="login-session">
                  <td>
                    <div className={t.stack}>
                      <span className={t.icon}>
                        <DeviceIcon device={session.device} />
                      </span>
                      <span className={t.lines}>
                        <span className={cx(t.primary, styles.deviceName)}>
                          {session.device}
                          {session.current ? (
                            <Badge tone="success" dot>
                              This device
                            </Badge>
                          ) : null}
                        </span>
                        <span className={t.sub}>Signed in {formatDateTime(session.createdAt)}</span>
                      </span>
                    </div>
                  </td>
                  <td className={t.hideSm}>
                    <code>{session.ip ?? "—"}</code>
                  </td>
                  <td className="nowrap" title={formatDateTime(session.lastUsedAt)}>
                    {session.current ? "Now" : formatRelative(session.lastUsedAt, now)}
                  </td>
                  <td className={t.actions}>
                    {session.current ? null : (
                      <ConfirmButton
                        label={`Revoke ${session.device} session`}
                        confirmLabel="Sign it out"
                        loading={revoking === session.id}
                        onConfirm={() => onRevoke(session)}
                      >
                        Revoke
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </CardBody>
      <CardFooter>
        <span>
          {list.length === 0
            ? "No active sessions."
            : others === 0
              ? "Only this device is signed in."
              : `${others} other ${others === 1 ? "session" : "sessions"} signed in.`}
        </span>
        <span>Sessions expire after 24 hours without use.</span>
      </CardFooter>
    </Card>
  );
}
