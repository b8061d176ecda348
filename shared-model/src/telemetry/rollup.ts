import type { TelemetryDayDoc } from "../documents/telemetry-day-doc.js";
import { fromFixedPoint } from "./metrics.js";

/**
 * Summary of one metric over a day, in real units rounded to the metric's resolution (1/scale),
 * as the device document's telemetry index keeps it for the fleet view.
 */
export interface MetricRollup {
  min: number;
  avg: number;
  max: number;
  /** Samples that had the metric; nulls are not counted. */
  count: number;
}

/**
 * Per-metric min/avg/max/count over every hour of a day document, ignoring missing values.
 * A metric with no value all day is absent from the result rather than reported as zeros.
 * Columns of metrics the document does not declare are skipped: without a scale their integers
 * mean nothing.
 */
export function computeRollup(doc: TelemetryDayDoc): Record<string, MetricRollup> {
  const totals = new Map<string, { min: number; max: number; sum: number; count: number }>();
  for (const bucket of Object.values(doc.hours)) {
    for (const [name, column] of Object.entries(bucket.v)) {
      if (!Object.hasOwn(doc.metrics, name)) continue;
      let total = totals.get(name);
      for (const stored of column) {
        if (typeof stored !== "number") continue;
        if (total === undefined) {
          total = { min: stored, max: stored, sum: 0, count: 0 };
          totals.set(name, total);
        }
        if (stored < total.min) total.min = stored;
        if (stored > total.max) total.max = stored;
        // Summing the integers keeps the average exact for any realistic day (< 2^53).
        total.sum += stored;
        total.count += 1;
      }
    }
  }
  const rollup: Record<string, MetricRollup> = {};
  for (const [name, total] of totals) {
    const descriptor = doc.metrics[name];
    if (descriptor === undefined) continue;
    rollup[name] = {
      min: fromFixedPoint(total.min, descriptor),
      // Rounding the stored-unit mean, then scaling, rounds to the metric's resolution.
      avg: fromFixedPoint(Math.round(total.sum / total.count), descriptor),
      max: fromFixedPoint(total.max, descriptor),
      count: total.count,
    };
  }
  return rollup;
}
