import type { ReactNode } from "react";
import { CheckIcon } from "./icons";
import { Badge, PageHeader } from "./ui";

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
      <section className="card soon" aria-labelledby="soon-title">
        <div className="soon-text">
          <div>
            <Badge tone="accent">Coming soon</Badge>
          </div>
          <h2 className="soon-title" id="soon-title">
            {headline}
          </h2>
          <p className="muted">{summary}</p>
          <ul className="soon-list">
            {features.map((feature) => (
              <li key={feature}>
                <CheckIcon size={16} />
                <span>{feature}</span>
              </li>
            ))}
          </ul>
        </div>
        <div className="soon-art" aria-hidden="true">
          <div style={{ display: "grid", justifyItems: "center" }}>
            <div className="soon-art-icon">{icon}</div>
            <p className="soon-art-caption">{caption ?? "This section is being built."}</p>
          </div>
        </div>
      </section>
    </>
  );
}
