import type { ReactNode } from "react";
import styles from "./ChoiceCard.module.css";

/** A radio button drawn as a card with an icon, a title and a line of description. */
export function ChoiceCard({
  name,
  value,
  checked,
  onChange,
  title,
  description,
  icon,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange(): void;
  title: string;
  description: string;
  icon: ReactNode;
}) {
  return (
    <label className={styles.choice}>
      <input type="radio" name={name} value={value} checked={checked} onChange={onChange} className="sr-only" />
      {icon}
      <span className={styles.text}>
        <span className={styles.title}>{title}</span>
        <span className={styles.description}>{description}</span>
      </span>
    </label>
  );
}

/** Choice cards two by two. */
export function ChoiceGrid({ children }: { children: ReactNode }) {
  return <div className={styles.grid}>{children}</div>;
}
