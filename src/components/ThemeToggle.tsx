"use client";
import { useSyncExternalStore, type KeyboardEvent } from "react";
import { MonitorIcon, MoonIcon, SunIcon } from "./icons";
import { readTheme, setTheme, subscribeTheme, type ThemeChoice } from "./theme";
import styles from "./ThemeToggle.module.css";

const OPTIONS: { value: ThemeChoice; label: string; Icon: typeof SunIcon }[] = [
  { value: "light", label: "Light theme", Icon: SunIcon },
  { value: "system", label: "Match system theme", Icon: MonitorIcon },
  { value: "dark", label: "Dark theme", Icon: MoonIcon },
];

export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const theme = useSyncExternalStore(subscribeTheme, readTheme, () => "system" as const);
  return [theme, setTheme];
}

/** Light / system / dark, as a radio group of three icon buttons. */
export function ThemeToggle() {
  const [theme, choose] = useTheme();
  // A radio group: one tab stop, arrow keys move the choice.
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const step = event.key === "ArrowRight" || event.key === "ArrowDown" ? 1 : event.key === "ArrowLeft" || event.key === "ArrowUp" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const index = OPTIONS.findIndex((o) => o.value === theme);
    const next = OPTIONS[(index + step + OPTIONS.length) % OPTIONS.length]!;
    choose(next.value);
    event.currentTarget.querySelector<HTMLButtonElement>(`[data-value="${next.value}"]`)?.focus();
  }
  return (
    <div className={styles.segmented} role="radiogroup" aria-label="Colour theme" onKeyDown={onKeyDown}>
      {OPTIONS.map(({ value, label, Icon }) => (
        <button
          key={value}
          type="button"
          role="radio"
          data-value={value}
          aria-checked={theme === value}
          tabIndex={theme === value ? 0 : -1}
          aria-label={label}
          title={label}
          onClick={() => choose(value)}
        >
          <Icon size={14} />
        </button>
      ))}
    </div>
  );
}
