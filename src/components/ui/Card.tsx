import type { HTMLAttributes, ReactNode } from "react";
import { cx } from "./cx";
import styles from "./Card.module.css";

export { styles as cardStyles };

/** A <section> with the card look; `as` for another element (an <article>, a <main>). */
export function Card({
  as: Tag = "section",
  className,
  children,
  ...rest
}: HTMLAttributes<HTMLElement> & { as?: "section" | "article" | "main" | "div"; children: ReactNode }) {
  return (
    <Tag className={cx(styles.card, className)} {...rest}>
      {children}
    </Tag>
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
    <div className={styles.header}>
      <div className={styles.headerText}>
        <h2 className={styles.title} id={titleId}>
          {title}
        </h2>
        {description ? <p className={styles.description}>{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}

/** The card's padded content; `flush` for a table that runs edge to edge. */
export function CardBody({ flush, className, children, ...rest }: HTMLAttributes<HTMLDivElement> & { flush?: boolean }) {
  return (
    <div className={cx(flush ? styles.bodyFlush : styles.body, className)} {...rest}>
      {children}
    </div>
  );
}

export function CardFooter({ className, children, ...rest }: HTMLAttributes<HTMLDivElement>) {
  return (
    <div className={cx(styles.footer, className)} {...rest}>
      {children}
    </div>
  );
}
