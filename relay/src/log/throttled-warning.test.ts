import type { Logger } from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { ThrottledWarning } from "./throttled-warning.js";

/** A logger that keeps its warn lines. */
function recordingLogger(): { logger: Logger; lines: { context: unknown; message: string }[] } {
  const lines: { context: unknown; message: string }[] = [];
  const logger = {
    warn: (context: unknown, message: string) => lines.push({ context, message }),
  } as unknown as Logger;
  return { logger, lines };
}

describe("ThrottledWarning", () => {
  it("logs the first of a flood, then one line an interval with the count left out", () => {
    const { logger, lines } = recordingLogger();
    let now = 1_000;
    const warning = new ThrottledWarning(logger, { intervalMs: 10_000, now: () => now });
    for (let i = 0; i < 500; i++) warning.warn({ i }, "connection refused");
    expect(lines).toEqual([{ context: { i: 0, suppressed: 0 }, message: "connection refused" }]);
    now += 10_000;
    warning.warn({ i: 500 }, "connection refused");
    expect(lines[1]).toEqual({
      context: { i: 500, suppressed: 499 },
      message: "connection refused (and 499 more since the last such line)",
    });
    now += 1;
    warning.warn({ i: 501 }, "connection refused");
    expect(lines).toHaveLength(2);
  });
});
