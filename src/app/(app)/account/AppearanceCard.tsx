"use client";
import { MonitorIcon, MoonIcon, SunIcon } from "@/components/icons";
import { useTheme } from "@/components/ThemeToggle";
import type { ThemeChoice } from "@/components/theme";
import { buttonClass, Card, CardBody, CardHeader, cx } from "@/components/ui";
import styles from "./AppearanceCard.module.css";

const THEMES: { value: ThemeChoice; label: string; description: string; Icon: typeof SunIcon }[] = [
  { value: "light", label: "Light", description: "Bright and clear", Icon: SunIcon },
  { value: "dark", label: "Dark", description: "Easy on the eyes", Icon: MoonIcon },
  { value: "system", label: "System", description: "Follows your device", Icon: MonitorIcon },
];

/** The colour theme of this device, as a radio group. */
export function AppearanceCard() {
  const [theme, setTheme] = useTheme();
  return (
    <Card aria-labelledby="appearance-title">
      <CardHeader titleId="appearance-title" title="Appearance" description="Stored on this device." />
      <CardBody>
        <div role="radiogroup" aria-labelledby="appearance-title" className={styles.options}>
          {THEMES.map(({ value, label, description, Icon }) => (
            <button
              key={value}
              type="button"
              role="radio"
              aria-checked={theme === value}
              onClick={() => setTheme(value)}
              className={cx(buttonClass(), styles.option)}
            >
              <span className={styles.icon}>
                <Icon size={15} />
              </span>
              <span className={styles.text}>
                <span>{label}</span>
                <span className={cx("subtle", styles.description)}>{description}</span>
              </span>
            </button>
          ))}
        </div>
      </CardBody>
    </Card>
  );
}
