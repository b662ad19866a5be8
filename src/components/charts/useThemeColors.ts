"use client";
import { useEffect, useState } from "react";

/**
 * Our colour tokens (`--accent`, `--text-3`, …) as concrete `rgb()` strings, re-read when the
 * theme changes. Reading the custom property itself would give `light-dark(#…, #…)`, which a
 * canvas cannot use: a probe element resolves it through a real `color` property instead.
 */
export function useThemeColors<T extends string>(tokens: readonly T[]): Record<T, string> | null {
  const key = tokens.join(",");
  const [colors, setColors] = useState<Record<T, string> | null>(null);

  useEffect(() => {
    const names = key.split(",") as T[];
    const read = () => {
      const probe = document.createElement("span");
      probe.style.display = "none";
      document.body.appendChild(probe);
      const next = {} as Record<T, string>;
      for (const name of names) {
        probe.style.color = `var(--${name})`;
        next[name] = getComputedStyle(probe).color;
      }
      probe.remove();
      setColors((previous) => (previous && names.every((n) => previous[n] === next[n]) ? previous : next));
    };
    read();
    // The theme is the system's preference unless <html data-theme> says otherwise (ThemeToggle).
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    media.addEventListener("change", read);
    const observer = new MutationObserver(read);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "class", "style"] });
    return () => {
      media.removeEventListener("change", read);
      observer.disconnect();
    };
  }, [key]);

  return colors;
}
