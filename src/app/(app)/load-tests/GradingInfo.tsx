import { Table } from "@/components/ui";
import { GRADE_THRESHOLDS } from "@/shared/load-tests";
import { GRADE_TONE } from "./format";
import styles from "./LoadTests.module.css";

/** Exact, as the rule is written: 0.999 → "99.9 %" (the page's usual rounding would say 100 %). */
const pct = (ratio: number) => `${+(ratio * 100).toFixed(2)} %`;
const ms = (n: number) => (n >= 1000 ? `${n / 1000} s` : `${n} ms`);

/** The grading rules, folded away: a run earns the best grade whose every line it meets. */
export function GradingInfo() {
  return (
    <details className={styles.grading} data-testid="lt-grading">
      <summary>How runs are graded</summary>
      <p className={styles.gradingIntro}>
        A run earns the best grade whose every line it meets; <strong>F</strong> when it meets none. Chat answers are whole streamed answers, so
        their latency lines are longer; a websocket run must also deliver its messages.
      </p>
      <Table className={styles.gradingTable}>
        <thead>
          <tr>
            <th scope="col">Grade</th>
            <th scope="col">Errors</th>
            <th scope="col">p99</th>
            <th scope="col">Delivered</th>
          </tr>
        </thead>
        <tbody>
          {GRADE_THRESHOLDS.map((line) => (
            <tr key={line.grade}>
              <th scope="row">
                <span className={styles.gradeChip} data-tone={GRADE_TONE[line.grade]}>
                  {line.grade}
                </span>
              </th>
              <td>≤ {pct(line.maxErrorRate)}</td>
              <td>
                ≤ {ms(line.maxP99Ms)}
                <span className={styles.gradingSub}>chat ≤ {ms(line.maxChatP99Ms)}</span>
              </td>
              <td>
                {line.minDelivered >= 1 ? "all" : `≥ ${pct(line.minDelivered)}`}
                <span className={styles.gradingSub}>websocket</span>
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
    </details>
  );
}
