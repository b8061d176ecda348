import { describe, expect, it } from "vitest";
import { type DocSizeResult, runDocSizeBench } from "./doc-size.js";

// A smoke test so CI notices a broken benchmark; the figures themselves are never asserted.
describe("doc-size benchmark", () => {
  it("runs a short day end to end and reports finite positive figures", async () => {
    const result = await runDocSizeBench({ ticks: 60 });
    const keys: (keyof DocSizeResult)[] = [
      "bytesPerMetricSample",
      "gzipCsvBytesPerMetricSample",
      "ratio",
      "msPerChangeFirstHour",
      "msPerChangeLastHour",
      "uncompactedBytesPerMetricSample",
    ];
    for (const key of keys) {
      expect(Number.isFinite(result[key]), key).toBe(true);
      expect(result[key], key).toBeGreaterThan(0);
    }
    expect(result.samples).toBe(60 * 8);
  });
});
