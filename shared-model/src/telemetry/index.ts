/**
 * Telemetry day documents: the metric catalog and fixed-point encoding, creating a day document,
 * appending a sample tick, the day's rollup and columnar range reads for charts.
 */
export { appendSample, type Sample } from "./append-sample.js";
export { createTelemetryDayDoc } from "./day-doc.js";
export { countSamples, downsampleDay } from "./downsample.js";
export {
  DuplicateDay,
  InvalidDayDocSetting,
  InvalidSampleValue,
  MetricUnitMismatch,
  SampleOutsideDay,
  TelemetryError,
  UnknownMetric,
} from "./errors.js";
export { DAY_MS, HOUR_KEYS, HOUR_MS, hourKeyOf } from "./hours.js";
export {
  fromFixedPoint,
  STANDARD_METRICS,
  type StandardMetricName,
  toFixedPoint,
} from "./metrics.js";
export { readRange, type TelemetryRange } from "./read-range.js";
export { computeRollup, type MetricRollup } from "./rollup.js";
