import { formatDateTime } from "@/components/time";
import { Badge, Table, tableStyles } from "@/components/ui";
import type { LoadTestComparison } from "@/shared/load-tests";
import { changeVerdict, formatChange, formatMs, formatPercent, formatRate, GRADE_TONE } from "./format";
import styles from "./Results.module.css";

interface Row {
  key: string;
  label: string;
  before: string;
  after: string;
  change: string;
  verdict: "better" | "worse" | "same";
}

const VERDICT_WORDS = { better: "better", worse: "worse", same: "about the same" } as const;

/** This run against the previous finished run of its scenario: before → after, and whether that is better. */
export function Comparison({ comparison, titleId }: { comparison: LoadTestComparison; titleId: string }) {
  const c = comparison;
  const latency = (key: "p50" | "p95" | "p99"): Row => ({
    key,
    label: `${key} latency`,
    before: formatMs(c[key].before),
    after: formatMs(c[key].after),
    change: formatChange(c[key].changePct),
    verdict: changeVerdict(c[key].changePct, "lower"),
  });
  // An error rate is already a percentage: its change is in points, not a percent of a percent.
  const errorPoints = (c.errorRate.after - c.errorRate.before) * 100;
  const rows: Row[] = [
    {
      key: "rps",
      label: "Requests / s",
      before: formatRate(c.requestsPerS.before),
      after: formatRate(c.requestsPerS.after),
      change: formatChange(c.requestsPerS.changePct),
      verdict: changeVerdict(c.requestsPerS.changePct, "higher"),
    },
    latency("p50"),
    latency("p95"),
    latency("p99"),
    {
      key: "errors",
      label: "Error rate",
      before: formatPercent(c.errorRate.before),
      after: formatPercent(c.errorRate.after),
      change: Math.abs(errorPoints) < 0.01 ? "0 pt" : `${errorPoints > 0 ? "+" : "−"}${Math.abs(errorPoints).toFixed(2)} pt`,
      verdict: Math.abs(errorPoints) < 0.01 ? "same" : errorPoints < 0 ? "better" : "worse",
    },
  ];
  return (
    <section aria-labelledby={titleId} className={styles.comparison} data-testid="lt-comparison">
      <div className={styles.subHead}>
        <h3 id={titleId} className={styles.subTitle}>
          Compared with the previous run
        </h3>
        <span className={styles.subMeta}>
          <span>
            Run of <time dateTime={new Date(c.previousStartedAt).toISOString()}>{formatDateTime(c.previousStartedAt)}</time>, graded
          </span>
          <Badge tone={GRADE_TONE[c.previousGrade]}>{c.previousGrade}</Badge>
        </span>
      </div>
      <Table className={styles.compareTable}>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col" className={styles.num}>
              Before
            </th>
            <th scope="col" className={styles.num}>
              After
            </th>
            <th scope="col" className={styles.num}>
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} data-testid={`lt-compare-${row.key}`} data-verdict={row.verdict}>
              <th scope="row" className={tableStyles.primary}>
                {row.label}
              </th>
              <td className={styles.num}>{row.before}</td>
              <td className={styles.num}>{row.after}</td>
              <td className={styles.num}>
                <span className={styles.change} data-verdict={row.verdict}>
                  {row.change}
                  <span className="sr-only">, {VERDICT_WORDS[row.verdict]}</span>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}
