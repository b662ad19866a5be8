"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useShell, type Me } from "../../../components/AppShell";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { CopyButton } from "../../../components/CopyButton";
import { errorMessage, NO_ERROR, toFormError, type FormError } from "../../../components/errors";
import {
  CheckCircleIcon,
  KeyIcon,
  LaptopIcon,
  LogOutIcon,
  MonitorIcon,
  MoonIcon,
  PhoneIcon,
  PlusIcon,
  SunIcon,
  TerminalIcon,
} from "../../../components/icons";
import { useTheme } from "../../../components/ThemeToggle";
import type { ThemeChoice } from "../../../components/theme";
import { formatDate, formatDateTime, formatRelative, useNow } from "../../../components/time";
import {
  Alert,
  Avatar,
  Badge,
  Button,
  Card,
  CardHeader,
  EmptyState,
  ErrorRegion,
  Field,
  PageHeader,
  Skeleton,
} from "../../../components/ui";
import { useTRPC } from "../../../trpc/react";
import type { RouterOutputs } from "../../../trpc/types";

/** A message that announces itself politely and fades after a few seconds. */
function useFlash(): [string | null, (message: string) => void] {
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), 4_000);
    return () => clearTimeout(timer);
  }, [message]);
  return [message, setMessage];
}

function Flash({ message }: { message: string | null }) {
  return (
    <span role="status" aria-live="polite" className="nowrap" style={{ color: "var(--success-text)", fontSize: 13, fontWeight: 560 }}>
      {message ? (
        <span style={{ display: "inline-flex", alignItems: "center", gap: 6 }}>
          <CheckCircleIcon size={15} /> {message}
        </span>
      ) : null}
    </span>
  );
}

function TableSkeleton({ columns }: { columns: number }) {
  return (
    <div style={{ display: "grid", gap: 14, padding: "16px 20px 20px" }} aria-busy="true">
      {[0, 1].map((row) => (
        <div key={row} style={{ display: "grid", gridTemplateColumns: `repeat(${columns}, 1fr)`, gap: 16 }}>
          {Array.from({ length: columns }, (_, i) => (
            <Skeleton key={i} height={16} width={`${50 + ((row + i) * 23) % 45}%`} />
          ))}
        </div>
      ))}
    </div>
  );
}

// ── Profile ──────────────────────────────────────────────────────────────────────────

function ProfileCard() {
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
      <div className="card-body">
        <div className="profile-head">
          <Avatar name={me.name} size="lg" />
          <div style={{ display: "grid", gap: 4, minWidth: 0 }}>
            <div style={{ display: "flex", alignItems: "center", gap: 8, flexWrap: "wrap" }}>
              <strong style={{ fontSize: 16 }} data-testid="profile-name">
                {me.name}
              </strong>
              <Badge tone={me.role === "ADMIN" ? "accent" : "neutral"}>{me.role === "ADMIN" ? "Admin" : "Member"}</Badge>
            </div>
            <span className="muted" style={{ overflowWrap: "anywhere" }}>
              {me.email} · member since {formatDate(me.createdAt)}
            </span>
          </div>
        </div>
        <form className="form" onSubmit={onSubmit} noValidate>
          <ErrorRegion message={error.message} />
          <div className="form-row">
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
          <div className="form-actions">
            <Button type="submit" variant="primary" loading={update.isPending} disabled={!changed}>
              Save changes
            </Button>
            <Flash message={flash} />
          </div>
        </form>
      </div>
    </Card>
  );
}

// ── Appearance ───────────────────────────────────────────────────────────────────────

const THEMES: { value: ThemeChoice; label: string; description: string; Icon: typeof SunIcon }[] = [
  { value: "light", label: "Light", description: "Bright and clear", Icon: SunIcon },
  { value: "dark", label: "Dark", description: "Easy on the eyes", Icon: MoonIcon },
  { value: "system", label: "System", description: "Follows your device", Icon: MonitorIcon },
];

function AppearanceCard() {
  const [theme, setTheme] = useTheme();
  return (
    <Card aria-labelledby="appearance-title">
      <CardHeader titleId="appearance-title" title="Appearance" description="Stored on this device." />
      <div className="card-body">
        <div role="radiogroup" aria-labelledby="appearance-title" style={{ display: "grid", gap: 8 }}>
          {THEMES.map(({ value, label, description, Icon }) => {
            const checked = theme === value;
            return (
              <button
                key={value}
                type="button"
                role="radio"
                aria-checked={checked}
                onClick={() => setTheme(value)}
                className="btn"
                style={{
                  height: "auto",
                  justifyContent: "flex-start",
                  padding: "10px 12px",
                  gap: 12,
                  borderColor: checked ? "var(--accent)" : undefined,
                  background: checked ? "var(--accent-soft)" : undefined,
                  boxShadow: checked ? "0 0 0 1px var(--accent)" : undefined,
                }}
              >
                <span className="cell-icon" style={{ width: 30, height: 30 }}>
                  <Icon size={15} />
                </span>
                <span style={{ display: "grid", gap: 3, textAlign: "left" }}>
                  <span>{label}</span>
                  <span className="subtle" style={{ fontWeight: 400, fontSize: 12.5 }}>
                    {description}
                  </span>
                </span>
              </button>
            );
          })}
        </div>
      </div>
    </Card>
  );
}

// ── Login sessions ───────────────────────────────────────────────────────────────────

type LoginSession = RouterOutputs["auth"]["sessions"][number];

function DeviceIcon({ device }: { device: string }) {
  if (/program/i.test(device)) return <TerminalIcon size={16} />;
  if (/iOS|Android/.test(device)) return <PhoneIcon size={16} />;
  return <LaptopIcon size={16} />;
}

function LoginSessionsCard() {
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
      <div className="card-body-flush">
        {error ? (
          <div style={{ padding: "0 20px 14px" }}>
            <Alert tone="danger" role="alert">
              {error}
            </Alert>
          </div>
        ) : null}
        {sessions.isPending ? (
          <TableSkeleton columns={4} />
        ) : sessions.isError ? (
          <div style={{ padding: "0 20px 16px" }}>
            <Alert tone="danger" role="alert">
              {errorMessage(sessions.error)}
            </Alert>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-labelledby="sessions-title">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col" className="hide-sm">
                    IP address
                  </th>
                  <th scope="col">Last active</th>
                  <th scope="col" className="cell-actions">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((session) => (
                  <tr key={session.id} data-testid="login-session">
                    <td>
                      <div className="cell-stack">
                        <span className="cell-icon">
                          <DeviceIcon device={session.device} />
                        </span>
                        <span className="cell-lines">
                          <span className="cell-primary" style={{ display: "inline-flex", gap: 8, alignItems: "center", flexWrap: "wrap" }}>
                            {session.device}
                            {session.current ? (
                              <Badge tone="success" dot>
                                This device
                              </Badge>
                            ) : null}
                          </span>
                          <span className="cell-sub">Signed in {formatDateTime(session.createdAt)}</span>
                        </span>
                      </div>
                    </td>
                    <td className="hide-sm">
                      <code>{session.ip ?? "—"}</code>
                    </td>
                    <td className="nowrap" title={formatDateTime(session.lastUsedAt)}>
                      {session.current ? "Now" : formatRelative(session.lastUsedAt, now)}
                    </td>
                    <td className="cell-actions">
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
            </table>
          </div>
        )}
      </div>
      <div className="card-footer">
        <span>
          {list.length === 0
            ? "No active sessions."
            : others === 0
              ? "Only this device is signed in."
              : `${others} other ${others === 1 ? "session" : "sessions"} signed in.`}
        </span>
        <span>Sessions expire after 24 hours without use.</span>
      </div>
    </Card>
  );
}

// ── API tokens ───────────────────────────────────────────────────────────────────────

type ApiToken = RouterOutputs["auth"]["listApiTokens"][number];

function ApiTokensCard() {
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
      <div className="card-body" style={{ display: "grid", gridTemplateColumns: "minmax(0, 1fr)", gap: 16 }}>
        <form onSubmit={onCreate} noValidate className="form" style={{ gap: 10 }}>
          <ErrorRegion message={formError.fields.name ? null : formError.message} />
          <div className="form-row">
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
            <Button type="submit" variant="primary" loading={create.isPending} className="form-row-button">
              {create.isPending ? null : <PlusIcon size={15} />}
              Create token
            </Button>
          </div>
        </form>
        {created ? (
          <div className="secret" role="status" aria-live="polite" data-testid="new-token">
            <div style={{ display: "flex", gap: 10, alignItems: "flex-start", color: "var(--success-text)" }}>
              <CheckCircleIcon size={18} />
              <div style={{ display: "grid", gap: 2 }}>
                <strong>Token “{created.name}” created</strong>
                <span style={{ color: "var(--text-2)" }}>Copy it now and keep it somewhere safe — Pulse will not show it again.</span>
              </div>
            </div>
            <div className="secret-value">
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
      </div>
      <div style={{ paddingBottom: 4 }}>
        {tokens.isPending ? (
          <TableSkeleton columns={4} />
        ) : tokens.isError ? (
          <div style={{ padding: "0 20px 16px" }}>
            <Alert tone="danger" role="alert">
              {errorMessage(tokens.error)}
            </Alert>
          </div>
        ) : list.length === 0 ? (
          <div style={{ borderTop: "1px solid var(--border)" }}>
            <EmptyState icon={<KeyIcon size={20} />} title="No API tokens yet">
              Create one above to use Pulse from a script or another service.
            </EmptyState>
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-labelledby="tokens-title">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="hide-sm">
                    Token
                  </th>
                  <th scope="col" className="hide-sm">
                    Created
                  </th>
                  <th scope="col">Last used</th>
                  <th scope="col" className="cell-actions">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((token) => (
                  <tr key={token.id} data-testid="api-token">
                    <td>
                      <div className="cell-stack">
                        <span className="cell-icon">
                          <KeyIcon size={15} />
                        </span>
                        <span className="cell-primary">{token.name}</span>
                      </div>
                    </td>
                    <td className="hide-sm">
                      <code>{token.prefix}…</code>
                    </td>
                    <td className="hide-sm nowrap">{formatDate(token.createdAt)}</td>
                    <td className="nowrap">{token.lastUsedAt ? formatRelative(token.lastUsedAt, now) : <span className="subtle">Never</span>}</td>
                    <td className="cell-actions">
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
            </table>
          </div>
        )}
      </div>
    </Card>
  );
}

// ── Sign out ─────────────────────────────────────────────────────────────────────────

function SignOutCard() {
  const { signOut, signingOut } = useShell();
  return (
    <Card aria-labelledby="signout-title">
      <div className="card-body danger-row">
        <div style={{ display: "grid", gap: 4 }}>
          <h2 className="card-title" id="signout-title">
            Sign out
          </h2>
          <p className="card-description">Sign out of Pulse on this device. Your other sessions stay signed in.</p>
        </div>
        <Button variant="danger" onClick={signOut} loading={signingOut}>
          {signingOut ? null : <LogOutIcon size={15} />}
          Sign out
        </Button>
      </div>
    </Card>
  );
}

export function AccountView() {
  return (
    <>
      <PageHeader eyebrow="You" title="Account" description="Your profile, where you're signed in, and the tokens your programs use." />
      <div className="stack">
        <div className="grid-2 grid-2-wide">
          <ProfileCard />
          <AppearanceCard />
        </div>
        <LoginSessionsCard />
        <ApiTokensCard />
        <SignOutCard />
      </div>
    </>
  );
}
