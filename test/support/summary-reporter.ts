/**
 * A Vitest reporter that ends the run with one plain line, `vitest: N passed, N failed, N skipped`,
 * so CI tooling that reads a closing count (not Vitest's styled summary) sees what ran.
 */
import process from "node:process";
import type { Reporter, TestModule } from "vitest/node";

/** Counts every test case by its final state and prints the closing line. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        const state = testCase.result().state;
        if (state === "passed" || state === "failed" || state === "skipped") counts[state] += 1;
      }
    }
    process.stdout.write(
      `\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
