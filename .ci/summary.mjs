// Sums the JSON reports that Vitest (unit and integration, then the fault suite) and Playwright
// write under test-results/ into one line, and names every failed or flaky test above it: CI
// shows only the tail of its output, so the names must be at the end.
import fs from "node:fs";

const read = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
};
const firstLine = (text) => String(text ?? "").split("\n").find((line) => line.trim()) ?? "";
const relative = (file) => file.replace(process.cwd() + "/", "");

let passed = 0;
let failed = 0;
const problems = [];

if (process.argv[2] === "1") {
  failed += 1;
  problems.push("typecheck or lint failed (see '== typecheck and lint' above)");
}

for (const [name, file] of [
  ["Vitest", "test-results/vitest.json"],
  ["fault suite", "test-results/faults.json"],
]) {
  const report = read(file);
  if (!report) {
    problems.push(`no ${name} report (${file}): the run stopped before it`);
    failed += 1;
    continue;
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  for (const result of report.testResults ?? []) {
    const tests = result.assertionResults ?? [];
    for (const test of tests.filter((t) => t.status === "failed")) {
      problems.push(`${name} FAILED ${relative(result.name)} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    }
    // Passed with an error on record: it failed once and passed on its retry (CI's `retry: 1`).
    for (const test of tests.filter((t) => t.status === "passed" && t.failureMessages?.length)) {
      problems.push(`${name} flaky (passed on retry) ${relative(result.name)} › ${test.fullName}: ${firstLine(test.failureMessages[0])}`);
    }
    // A file that failed outside any test (an import, a hook) has no failed test to name.
    if (result.status === "failed" && !tests.some((t) => t.status === "failed")) {
      problems.push(`${name} FAILED ${relative(result.name)}: ${firstLine(result.message)}`);
      if (report.numFailedTests === 0) failed += 1;
    }
  }
}

const playwright = read("test-results/playwright.json");
if (playwright) {
  passed += playwright.stats.expected + playwright.stats.flaky;
  failed += playwright.stats.unexpected;
  const visit = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== "unexpected" && test.status !== "flaky") continue;
        const error = test.results?.find((r) => r.error)?.error?.message;
        problems.push(`Playwright ${test.status === "flaky" ? "flaky (passed on retry)" : "FAILED"} ${spec.file}:${spec.line} › ${[...titles, spec.title].join(" › ")}: ${firstLine(error).replace(/\u001b\[[0-9;]*m/g, "")}`);
      }
    }
    for (const child of suite.suites ?? []) visit(child, child.title && !child.title.endsWith(".ts") ? [...titles, child.title] : titles);
  };
  for (const suite of playwright.suites ?? []) visit(suite, []);
  for (const error of playwright.errors ?? []) problems.push(`Playwright error outside any test: ${firstLine(error.message)}`);
} else {
  problems.push("no Playwright report (test-results/playwright.json): the run stopped before it");
  failed += 1;
}

for (const problem of problems) console.log(problem.slice(0, 400));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
