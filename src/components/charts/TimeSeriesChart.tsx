"use client";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { Skeleton } from "@/components/ui";
import { useThemeColors } from "./useThemeColors";
import styles from "./TimeSeriesChart.module.css";

/** The colour tokens a series may take (globals.css). */
export type ChartColor = "accent" | "info" | "success" | "warning" | "danger" | "text-3";

export interface ChartSeries {
  label: string;
  color: ChartColor;
  /** One per time; null for a gap. */
  values: readonly (number | null)[];
  /** A soft area under the line (the series that matters most). */
  fill?: boolean;
}

export interface TimeSeriesChartProps {
  title: string;
  /** What the numbers are, under the title. */
  description?: ReactNode;
  /** Epoch milliseconds, ascending; with `xAxis: "elapsed"`, milliseconds since the start. */
  times: readonly number[];
  /**
   * "clock" (the default): times of day. "elapsed": seconds since the start ("0 s", "1:30"), for
   * a run of a few seconds, whose clock ticks would all read the same second.
   */
  xAxis?: "clock" | "elapsed";
  series: ChartSeries[];
  /** A value as people read it ("12 ms", "3.4 /s", "1.2 %"). */
  format: (value: number) => string;
  /** For the summary screen readers hear: "over the last 15 min". */
  span: string;
  loading?: boolean;
  /** The y axis reaches at least this high (an error rate of 0 still shows a 5 % scale). */
  minTop?: number;
  /** Whole numbers (connections, jobs): ticks at 1, 2, 5, 10, … only. */
  integer?: boolean;
  empty?: string;
  height?: number;
  testId?: string;
}

const CHROME = ["text-3", "border"] as const;
const TOKENS = ["accent", "info", "success", "warning", "danger", ...CHROME] as const;

const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];

/** 0 → "0 s", 45 → "45 s", 90 → "1:30". */
function elapsedTick(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const INTEGER_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];

function withAlpha(color: string, alpha: number): string {
  const parts = color.match(/[\d.]+/g);
  if (!parts || parts.length < 3) return color;
  return `rgba(${parts[0]}, ${parts[1]}, ${parts[2]}, ${alpha})`;
}

/** An x-axis tick: the time of day within a day or so (with seconds under ten minutes), the date beyond. */
function timeTicks(splits: number[]): string[] {
  const span = splits.length > 1 ? splits[splits.length - 1]! - splits[0]! : 0;
  return splits.map((s) => {
    const date = new Date(s * 1000);
    return span > 36 * 3600
      ? date.toLocaleDateString(undefined, { day: "numeric", month: "short" })
      : date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", ...(span < 600 ? { second: "2-digit" } : {}) });
  });
}

function stats(values: readonly (number | null)[]) {
  let min = Infinity;
  let max = -Infinity;
  let latest: number | null = null;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    latest = v;
  }
  return latest === null ? null : { latest, min, max };
}

/**
 * A live time series on a canvas (uPlot): created once per theme and set of series, fed with
 * `setData` as points arrive, sized with its container. The canvas is hidden from assistive
 * technology; the figure's caption and a visually hidden summary (latest, lowest, highest of
 * each series) say what it shows.
 */
export function TimeSeriesChart({
  title,
  description,
  times,
  series,
  format,
  span,
  loading,
  integer = false,
  minTop = 0,
  empty = "No data in this window yet",
  height = 200,
  testId,
  xAxis = "clock",
}: TimeSeriesChartProps) {
  const titleId = useId();
  const colors = useThemeColors(TOKENS);
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  // The axis formatter and the data are read by the plot's callbacks: refs, so a new closure or
  // a new point does not rebuild the plot.
  const formatRef = useRef(format);
  formatRef.current = format;
  const data = useRef<uPlot.AlignedData>([[]]);
  data.current = [times.map((t) => t / 1000), ...series.map((s) => s.values as (number | null)[])];
  const shape = series.map((s) => `${s.label}:${s.color}:${s.fill ? 1 : 0}`).join("|");

  useEffect(() => {
    const element = box.current;
    if (!element || !colors) return;
    const axis = {
      stroke: colors["text-3"],
      font: "11px system-ui, sans-serif",
      grid: { stroke: withAlpha(colors.border, 0.9), width: 1 },
      ticks: { stroke: colors.border, width: 1, size: 4 },
    };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 100),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: xAxis === "clock" },
        // From zero: a flat line at 2 ms should not look like a cliff.
        y: {
          range: (_u, _min, max) => {
            const top = Math.max(max * 1.15, minTop, integer ? 2 : 0);
            return [0, top > 0 ? (integer ? Math.ceil(top) : top) : 1];
          },
        },
      },
      axes: [
        xAxis === "clock"
          ? { ...axis, space: 70, size: 30, values: (_u, splits) => timeTicks(splits) }
          : { ...axis, space: 50, size: 30, incrs: SECOND_STEPS, values: (_u, splits) => splits.map(elapsedTick) },
        {
          ...axis,
          size: 60,
          space: 32,
          ...(integer ? { incrs: INTEGER_STEPS } : {}),
          values: (_u, splits) => splits.map((v) => formatRef.current(v)),
        },
      ],
      series: [
        {},
        ...shape.split("|").map((_, i) => {
          const s = series[i]!;
          const stroke = colors[s.color];
          return {
            label: s.label,
            stroke,
            width: s.fill ? 2 : 1.5,
            fill: s.fill ? withAlpha(stroke, 0.12) : undefined,
            points: { show: false },
          };
        }),
      ],
      hooks: { setCursor: [(u) => setHover(u.cursor.idx ?? null)] },
    };
    const chart = new uPlot(options, data.current, element);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      const width = element.clientWidth;
      if (width > 0 && width !== chart.width) chart.setSize({ width, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // `series` is read through `shape`: its values change every second, its shape does not.
  }, [colors, shape, height, integer, minTop, xAxis]);

  useEffect(() => {
    plot.current?.setData(data.current);
  }, [times, series]);

  const summaries = series.map((s) => ({ s, stat: stats(s.values) }));
  const hasData = times.length > 0 && summaries.some(({ stat }) => stat !== null);
  const summary = hasData
    ? summaries
        .map(({ s, stat }) =>
          stat ? `${s.label}: latest ${format(stat.latest)}, lowest ${format(stat.min)}, highest ${format(stat.max)}` : `${s.label}: no data`,
        )
        .join(". ")
    : empty;

  return (
    <figure className={styles.figure} aria-labelledby={titleId} data-testid={testId} data-points={times.length}>
      <figcaption className={styles.caption}>
        <div className={styles.head}>
          <h3 className={styles.title} id={titleId}>
            {title}
          </h3>
          {description ? <p className={styles.description}>{description}</p> : null}
        </div>
        <ul className={styles.legend} aria-hidden="true">
          {summaries.map(({ s, stat }) => {
            const value = hover !== null ? s.values[hover] : stat?.latest;
            return (
              <li key={s.label}>
                <span className={styles.swatch} style={{ background: `var(--${s.color})` }} />
                <span className={styles.legendLabel}>{s.label}</span>
                <span className={styles.legendValue}>{value === null || value === undefined ? "—" : format(value)}</span>
              </li>
            );
          })}
        </ul>
        <p className="sr-only">
          {title} {span}. {summary}.
        </p>
      </figcaption>
      <div className={styles.plotArea} style={{ height }}>
        <div ref={box} className={styles.plot} aria-hidden="true" />
        {loading ? (
          <div className={styles.overlay}>
            <Skeleton height={height - 24} />
          </div>
        ) : !hasData ? (
          <div className={styles.overlay}>
            <span className={styles.empty}>{empty}</span>
          </div>
        ) : null}
      </div>
    </figure>
  );
}
