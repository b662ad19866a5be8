import { forwardRef, type ButtonHTMLAttributes } from "react";
import { cx } from "./cx";
import styles from "./Button.module.css";

type ButtonVariant = "primary" | "secondary" | "ghost" | "danger" | "danger-solid";
type ButtonSize = "sm" | "md" | "lg";

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: ButtonVariant;
  size?: ButtonSize;
  loading?: boolean;
  block?: boolean;
  icon?: boolean;
}

const VARIANT: Record<ButtonVariant, string | undefined> = {
  primary: styles.primary,
  secondary: undefined,
  ghost: styles.ghost,
  danger: styles.danger,
  "danger-solid": styles.dangerSolid,
};

/** The button look, for a link that acts as one (<Link className={buttonClass(...)}>). */
export function buttonClass({
  variant = "secondary",
  size = "md",
  block,
  icon,
}: Pick<ButtonProps, "variant" | "size" | "block" | "icon"> = {}): string {
  return cx(styles.btn, VARIANT[variant], size === "sm" && styles.sm, size === "lg" && styles.lg, block && styles.block, icon && styles.icon);
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
      {loading ? <span className={styles.spinner} aria-hidden="true" /> : null}
      {children}
    </button>
  );
});
