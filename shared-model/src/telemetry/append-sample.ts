import type {
  HourBucket,
  MetricDescriptor,
  TelemetryDayDoc,
} from "../documents/telemetry-day-doc.js";
import { startOfDay } from "../ids/ids.js";
import { InvalidSampleValue, SampleOutsideDay, UnknownMetric } from "./errors.js";
import { DAY_MS, HOUR_MS, hourKeyOf } from "./hours.js";
import { toFixedPoint } from "./metrics.js";

/** One collection tick as the agent's collectors produce it, in real units. */
export interface Sample {
  /** When the sample was taken, epoch milliseconds. */
  at: number;
  /** Real values by metric name; a metric the collectors could not read this tick is absent. */
  values: Readonly<Record<string, number>>;
}

/**
 * Appends one sample to a day document. Call it inside a change callback,
 * `handle.change((doc) => appendSample(doc, sample))`, so one tick is one Automerge change.
 *
 * The sample goes into the bucket of its UTC hour at `t` = whole seconds since the start of that
 * hour (0..3599: the same values recur every hour, which compresses far better than seconds since
 * midnight), each value as its fixed-point integer. Every column of the bucket gets one entry, `null`
 * where the sample lacks the metric, so columns stay aligned with `t`.
 *
 * The whole sample is checked before anything is written, so a bad sample leaves no partial row.
 *
 * @throws {SampleOutsideDay} when `at` is not on the document's day.
 * @throws {UnknownMetric} when a value's metric is not declared in the document's `metrics`.
 * @throws {InvalidSampleValue} for a non-finite value or one too large for a safe integer.
 */
export function appendSample(draft: TelemetryDayDoc, sample: Sample): void {
  const dayStart = startOfDay(draft.day);
  const sinceStart = sample.at - dayStart;
  // Written as a negated range test so that a NaN `at` fails it too.
  if (!(sinceStart >= 0 && sinceStart < DAY_MS)) throw new SampleOutsideDay(sample.at, draft.day);

  const stored = toStoredValues(draft.metrics, sample.values);
  const t = Math.floor((sinceStart % HOUR_MS) / 1000);
  const hourKey = hourKeyOf(sinceStart);
  const bucket = draft.hours[hourKey];
  if (bucket === undefined) {
    // A new hour: one map with short lists, written once; later ticks only push.
    const v: Record<string, (number | null)[]> = {};
    for (const [name, value] of stored) v[name] = [value];
    draft.hours[hourKey] = { t: [t], v };
    return;
  }
  pushRow(bucket, t, stored);
}

/** Checks and converts every value of a sample before the document is touched. */
function toStoredValues(
  metrics: Readonly<Record<string, MetricDescriptor>>,
  values: Readonly<Record<string, number>>,
): Map<string, number> {
  const stored = new Map<string, number>();
  for (const [name, value] of Object.entries(values)) {
    // `Object.hasOwn` so that `toString` and friends are not taken for declared metrics.
    const descriptor = Object.hasOwn(metrics, name) ? metrics[name] : undefined;
    if (descriptor === undefined) throw new UnknownMetric(name, Object.keys(metrics));
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new InvalidSampleValue(name, value, "expected a finite number");
    }
    const fixed = toFixedPoint(value, descriptor);
    // Beyond this Automerge would silently store a float, and integers are the point.
    if (!Number.isSafeInteger(fixed)) {
      throw new InvalidSampleValue(name, value, `too large for scale ${descriptor.scale}`);
    }
    stored.set(name, fixed);
  }
  return stored;
}

/**
 * Adds one row to an existing bucket. Only pushes: rewriting a list would make Automerge delete
 * and re-insert every element, so the change would grow with the hour instead of staying flat.
 */
function pushRow(bucket: HourBucket, t: number, stored: ReadonlyMap<string, number>): void {
  const rowsBefore = bucket.t.length;
  bucket.t.push(t);
  for (const [name, column] of Object.entries(bucket.v)) {
    column.push(stored.get(name) ?? null);
  }
  for (const [name, value] of stored) {
    if (Object.hasOwn(bucket.v, name)) continue;
    // A metric that first appears mid-hour: pad its earlier rows so the column lines up with `t`.
    const column: (number | null)[] = new Array<number | null>(rowsBefore).fill(null);
    column.push(value);
    bucket.v[name] = column;
  }
}
