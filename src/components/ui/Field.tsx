import { forwardRef, useId, type InputHTMLAttributes, type ReactNode } from "react";
import { AlertCircleIcon } from "@/components/icons";
import { cx } from "./cx";
import styles from "./Field.module.css";

/** Class names for form parts built by hand (a textarea, a select, a fieldset, a row of fields). */
export { styles as formStyles };

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
      className={cx(styles.input, className)}
      aria-invalid={error ? true : undefined}
      aria-describedby={[errorId, hintId].filter(Boolean).join(" ") || undefined}
      {...input}
    />
  );
  return (
    <div className={styles.field}>
      <div className={styles.labelRow}>
        <label className={styles.label} htmlFor={id}>
          {label}
        </label>
        {labelAside}
      </div>
      {addon ? (
        <div className={styles.inputGroup}>
          {control}
          {addon}
        </div>
      ) : (
        control
      )}
      {error ? (
        <p className={styles.fieldError} id={errorId}>
          <AlertCircleIcon size={14} />
          <span>{error}</span>
        </p>
      ) : hint ? (
        <p className={styles.hint} id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
});
