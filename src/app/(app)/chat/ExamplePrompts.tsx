"use client";
import { ArrowRightIcon, ChatIcon } from "@/components/icons";
import styles from "./Start.module.css";

export const EXAMPLE_PROMPTS = [
  "Write a TypeScript function that retries a fetch with exponential backoff",
  "Suggest a five-minute breathing exercise for a stressful afternoon",
  "Explain PostgreSQL LISTEN/NOTIFY and when it is the wrong tool",
  "Draft an agenda for a 30-minute team retrospective",
];

/** An empty state with a few prompts to start from (each a button). */
export function ExamplePrompts({
  title,
  text,
  onPick,
  disabled,
  busy,
}: {
  title: string;
  text: string;
  onPick(prompt: string): void;
  disabled?: boolean;
  busy?: boolean;
}) {
  return (
    <div className={styles.start}>
      <span className={styles.startIcon} aria-hidden="true">
        <ChatIcon size={22} />
      </span>
      <h3 className={styles.startTitle}>{title}</h3>
      <p className={styles.startText}>{text}</p>
      <ul className={styles.prompts} aria-label="Example prompts">
        {EXAMPLE_PROMPTS.map((prompt) => (
          <li key={prompt}>
            <button type="button" className={styles.prompt} onClick={() => onPick(prompt)} disabled={disabled || busy}>
              <span>{prompt}</span>
              <ArrowRightIcon size={15} />
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
