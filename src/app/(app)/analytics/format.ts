/** How the Analytics page writes its numbers: few digits, units people know. */

/** 0.4 → "0.4 ms", 12.3 → "12 ms", 1530 → "1.53 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  if (ms === 0) return "0 ms";
  return `${ms.toFixed(2)} ms`;
}

/** A 0–1 fraction: 0 → "0 %", 0.0123 → "1.2 %", 0.00004 → "<0.1 %". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "—";
  const pct = fraction * 100;
  if (pct === 0) return "0 %";
  if (pct < 0.1) return "<0.1 %";
  if (pct < 10) return `${pct.toFixed(1)} %`;
  return `${Math.round(pct)} %`;
}

/** Calls per second: "0", "0.25", "3.4", "120". */
export function formatRate(perS: number): string {
  if (!Number.isFinite(perS)) return "—";
  if (perS === 0) return "0";
  if (perS < 0.01) return "<0.01";
  if (perS < 1) return perS.toFixed(2);
  if (perS < 100) return perS.toFixed(1);
  return Math.round(perS).toLocaleString("en");
}

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"];

/** 1536 → "1.5 KB", 73400320 → "70 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "—";
}

/** A window in words for sentences: "the last 15 min", "the last 7 days". */
export function windowWords(label: string): string {
  return `over the last ${label}`;
}
