import type { ReactNode } from "react";
import { CheckIcon } from "./icons";
import { Badge, Card, PageHeader } from "./ui";
import styles from "./ComingSoon.module.css";

export interface ComingSoonProps {
  eyebrow: string;
  title: string;
  description: string;
  icon: ReactNode;
  headline: string;
  summary: string;
  features: string[];
  caption?: string;
}

/** A section that is not built yet: says plainly what it will do. */
export function ComingSoon({ eyebrow, title, description, icon, headline, summary, features, caption }: ComingSoonProps) {
  return (
    <>
      <PageHeader eyebrow={eyebrow} title={title} description={description} />
      <Card className={styles.soon} aria-labelledby="soon-title">
        <div className={styles.text}>
          <div>
            <Badge tone="accent">Coming soon</Badge>
          </div>
          <h2 className={styles.title} id="soon-title">
            {headline}
          </h2>
          <p className="muted">{summary}</p>
          <ul className={styles.list}>
            {features.map((feature) => (
              <li key={feature}>
                <CheckIcon size={16} />
                <span>{feature}</span>
              </li>
            ))}
          </ul>
        </div>
        <div className={styles.art} aria-hidden="true">
          <div className={styles.artInner}>
            <div className={styles.artIcon}>{icon}</div>
            <p className={styles.artCaption}>{caption ?? "This section is being built."}</p>
          </div>
        </div>
      </Card>
    </>
  );
}
