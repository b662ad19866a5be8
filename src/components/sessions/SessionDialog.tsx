"use client";
/**
 * A modal dialog on the native <dialog> element: focus is trapped and restored by the browser,
 * Escape closes it, and so does a click on the backdrop. (A dialog library, Radix or React Aria,
 * would add a dependency for what the element already does: the top layer, the inert page
 * behind it, focus in and back out.)
 */
import { useEffect, useId, useRef, type ReactNode } from "react";
import { XIcon } from "@/components/icons";
import { Button, cx, ui } from "@/components/ui";
import styles from "./SessionDialog.module.css";

export function SessionDialog({
  open,
  onClose,
  title,
  description,
  children,
  footer,
  size,
  onSubmit,
}: {
  open: boolean;
  onClose(): void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  size?: "lg";
  /** Makes the dialog a form: its footer's submit button submits it. */
  onSubmit?(event: React.FormEvent<HTMLFormElement>): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const pressedOnBackdrop = useRef(false);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const body = (
    <>
      <header className={styles.header}>
        <div className={styles.heading}>
          <h2 className={styles.title} id={titleId}>
            {title}
          </h2>
          {description ? (
            <p className={ui.cardDescription} id={descriptionId}>
              {description}
            </p>
          ) : null}
        </div>
        <Button variant="ghost" size="sm" icon onClick={onClose} aria-label="Close">
          <XIcon size={16} />
        </Button>
      </header>
      <div className={styles.body}>{children}</div>
      {footer ? <footer className={styles.footer}>{footer}</footer> : null}
    </>
  );

  return (
    <dialog
      ref={ref}
      className={cx(styles.dialog, size === "lg" && styles.lg)}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onMouseDown={(event) => (pressedOnBackdrop.current = event.target === ref.current)}
      onClick={(event) => {
        // A click on the backdrop lands on the <dialog> itself (a drag out of a field does not count).
        if (event.target === ref.current && pressedOnBackdrop.current) onClose();
      }}
    >
      {open ? (
        onSubmit ? (
          <form className={styles.frame} onSubmit={onSubmit} noValidate>
            {body}
          </form>
        ) : (
          <div className={styles.frame}>{body}</div>
        )
      ) : null}
    </dialog>
  );
}
