/**
 * Pulse's building blocks. Thin wrappers over the classes in globals.css, so markup stays
 * semantic (real <button>, <label>, <table>) and the look lives in one stylesheet.
 */
import { forwardRef, useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode } from "react";
import { initials } from "../shared/people";
import { AlertCircleIcon, CheckCircleIcon, InfoIcon, AlertIcon } from "./icons";

function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}
export { cx };

// ── Button ───────────────────────────────────────────────────────────────────────────

type ButtonVariant = "primary" | "secondary" | "ghost" | "danger" | "danger-solid";
type ButtonSize = "sm" | "md" | "lg";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  loading?: boolean;
  block?: boolean;
  icon?: boolean;
}

export function buttonClass({
  variant = "secondary",
  size = "md",
  block,
  icon,
}: Pick<ButtonProps, "variant" | "size" | "block" | "icon"> = {}): string {
  return cx(
    "btn",
    variant !== "secondary" && `btn-${variant}`,
    size !== "md" && `btn-${size}`,
    block && "btn-block",
    icon && "btn-icon",
  );
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant, size, loading, block, icon, className, children, disabled, type = "button", ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      className={cx(buttonClass({ variant, size, block, icon }), className)}
      disabled={disabled || loading}
      aria-busy={loading || undefined}
      {...rest}
    >
      {loading ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
});

// ── Badge ────────────────────────────────────────────────────────────────────────────

export type Tone = "neutral" | "success" | "warning" | "danger" | "accent" | "info";

export function Badge({
  tone = "neutral",
  dot,
  size,
  children,
  className,
  ...rest
}: { tone?: Tone; dot?: boolean; size?: "lg"; children: ReactNode; className?: string } & React.HTMLAttributes<HTMLSpanElement>) {
  return (
    <span className={cx("badge", tone !== "neutral" && `badge-${tone}`, dot && "badge-dot", size && "badge-lg", className)} {...rest}>
      {children}
    </span>
  );
}

export type HealthStatus = "ok" | "degraded" | "unhealthy";
export const STATUS_TONE: Record<HealthStatus, Tone> = { ok: "success", degraded: "warning", unhealthy: "danger" };
export const STATUS_LABEL: Record<HealthStatus, string> = { ok: "Operational", degraded: "Degraded", unhealthy: "Unhealthy" };

export function StatusBadge({ status, size }: { status: HealthStatus; size?: "lg" }) {
  return (
    <Badge tone={STATUS_TONE[status]} dot size={size}>
      {STATUS_LABEL[status]}
    </Badge>
  );
}

// ── Card ─────────────────────────────────────────────────────────────────────────────

export function Card({ className, children, ...rest }: React.HTMLAttributes<HTMLElement> & { children: ReactNode }) {
  return (
    <section className={cx("card", className)} {...rest}>
      {children}
    </section>
  );
}

export function CardHeader({
  title,
  description,
  actions,
  titleId,
}: {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  titleId?: string;
}) {
  return (
    <div className="card-header">
      <div className="card-header-text">
        <h2 className="card-title" id={titleId}>
          {title}
        </h2>
        {description ? <p className="card-description">{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}

// ── Page header ──────────────────────────────────────────────────────────────────────

export function PageHeader({
  eyebrow,
  title,
  description,
  actions,
}: {
  eyebrow?: string;
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div className="page-header-text">
        {eyebrow ? <span className="page-eyebrow">{eyebrow}</span> : null}
        <h1 className="page-title">{title}</h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions}
    </header>
  );
}

// ── Form field ───────────────────────────────────────────────────────────────────────

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  error?: string;
  hint?: ReactNode;
  labelAside?: ReactNode;
  addon?: ReactNode;
}

/** A labelled input whose error is announced and linked with aria-describedby. */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field(
  { label, error, hint, labelAside, addon, className, ...input },
  ref,
) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const control = (
    <input
      ref={ref}
      id={id}
      className={cx("input", className)}
      aria-invalid={error ? true : undefined}
      aria-describedby={[errorId, hintId].filter(Boolean).join(" ") || undefined}
      {...input}
    />
  );
  return (
    <div className="field">
      <div className="label-row">
        <label className="label" htmlFor={id}>
          {label}
        </label>
        {labelAside}
      </div>
      {addon ? (
        <div className="input-group">
          {control}
          {addon}
        </div>
      ) : (
        control
      )}
      {error ? (
        <p className="field-error" id={errorId}>
          <AlertCircleIcon size={14} />
          <span>{error}</span>
        </p>
      ) : hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
});

// ── Alert ────────────────────────────────────────────────────────────────────────────

const ALERT_ICON = { danger: AlertCircleIcon, success: CheckCircleIcon, warning: AlertIcon, info: InfoIcon };

export function Alert({
  tone = "info",
  title,
  children,
  role,
}: {
  tone?: "danger" | "success" | "warning" | "info";
  title?: ReactNode;
  children?: ReactNode;
  role?: "alert" | "status";
}) {
  const Icon = ALERT_ICON[tone];
  return (
    <div className={`alert alert-${tone}`} role={role}>
      <Icon size={16} />
      <div>
        {title ? <div className="alert-title">{title}</div> : null}
        {children}
      </div>
    </div>
  );
}

/**
 * An always-present live region: errors rendered inside it are announced when they appear.
 * (A region that is itself inserted together with its text is often not read out.)
 */
export function ErrorRegion({ message, title }: { message: string | null | undefined; title?: string }) {
  return (
    <div role="alert" aria-atomic="true">
      {message ? (
        <Alert tone="danger" title={title}>
          {message}
        </Alert>
      ) : null}
    </div>
  );
}

// ── Empty state, skeleton ────────────────────────────────────────────────────────────

export function EmptyState({ icon, title, children }: { icon: ReactNode; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-icon">{icon}</div>
      <p className="empty-title">{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}

export function Skeleton({ width = "100%", height = 14, style }: { width?: number | string; height?: number; style?: React.CSSProperties }) {
  return <span className="skeleton" style={{ width, height, ...style }} aria-hidden="true" />;
}


export function Avatar({ name, size }: { name: string; size?: "lg" }) {
  return (
    <span className={cx("avatar", size === "lg" && "avatar-lg")} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
