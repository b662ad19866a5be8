// Sums the JSON reports that Vitest (unit and integration, then the fault suite) and Playwright write under test-results/ into one line.
import fs from "node:fs";

const read = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
};

let passed = 0;
let failed = Number(process.argv[2] ?? 0); // typecheck/lint failure counts as one failure

const vitest = read("test-results/vitest.json");
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
} else {
  console.log("no Vitest report (test-results/vitest.json)");
  failed += 1;
}

// The fault suite (vitest.faults.config.ts), run by npm test between the two.
const faults = read("test-results/faults.json");
if (faults) {
  passed += faults.numPassedTests;
  failed += faults.numFailedTests;
} else {
  console.log("no fault-suite report (test-results/faults.json)");
  failed += 1;
}

const playwright = read("test-results/playwright.json");
if (playwright) {
  passed += playwright.stats.expected + playwright.stats.flaky;
  failed += playwright.stats.unexpected;
} else {
  console.log("no Playwright report (test-results/playwright.json)");
  failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
