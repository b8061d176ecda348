import type {
  HourBucket,
  MetricDescriptor,
  TelemetryDayDoc,
} from "../documents/telemetry-day-doc.js";
import { startOfDay } from "../ids/ids.js";
import { DuplicateDay, MetricUnitMismatch } from "./errors.js";
import { DAY_MS, HOUR_KEYS, HOUR_MS } from "./hours.js";
import { fromFixedPoint } from "./metrics.js";

/** Telemetry of a time range in columns, ready for uPlot's `[t, ...series]` data. */
export interface TelemetryRange {
  /** Sample times, epoch seconds (uPlot's unit), ascending. */
  t: Float64Array;
  /** One column per metric, aligned with `t`, in real units; `NaN` where a sample lacked it. */
  series: Record<string, Float64Array>;
  /** Unit per metric; `""` for a requested metric no day in the range declares. */
  units: Record<string, string>;
}

/** One hour bucket that overlaps the range, with what is needed to convert its rows. */
interface Segment {
  /** Epoch ms of the bucket's hour: its `t` values are seconds since then. */
  hourStart: number;
  bucket: HourBucket;
  metrics: Readonly<Record<string, MetricDescriptor>>;
}

/**
 * Reads the samples with `fromMs <= at < toMs` from day documents given in any order, as typed
 * columns. The arrays are sized by a counting pass and then filled, so a week of 10 s samples
 * never goes through a growing JS array.
 *
 * @param metricNames - metrics to return; by default every metric the days in range declare.
 * @throws {DuplicateDay} when two documents are for the same day.
 * @throws {MetricUnitMismatch} when days in range give a returned metric different units.
 */
export function readRange(
  days: readonly TelemetryDayDoc[],
  fromMs: number,
  toMs: number,
  metricNames?: readonly string[],
): TelemetryRange {
  const inRange = daysInRange(days, fromMs, toMs);
  const units = unitsOf(inRange, metricNames);
  const names = Object.keys(units);
  const segments = segmentsInRange(inRange, fromMs, toMs);

  let length = 0;
  for (const { hourStart, bucket } of segments) {
    for (const seconds of bucket.t) if (isInRange(hourStart, seconds, fromMs, toMs)) length += 1;
  }

  const t = new Float64Array(length);
  const series: Record<string, Float64Array> = {};
  for (const name of names) series[name] = new Float64Array(length).fill(Number.NaN);

  let row = 0;
  for (const { hourStart, bucket, metrics } of segments) {
    const columns = names.map((name) => {
      const descriptor = Object.hasOwn(metrics, name) ? metrics[name] : undefined;
      const column = Object.hasOwn(bucket.v, name) ? bucket.v[name] : undefined;
      return { target: series[name] as Float64Array, descriptor, column };
    });
    bucket.t.forEach((seconds, index) => {
      if (!isInRange(hourStart, seconds, fromMs, toMs)) return;
      t[row] = hourStart / 1000 + seconds;
      for (const { target, descriptor, column } of columns) {
        const stored = column?.[index];
        if (descriptor !== undefined && typeof stored === "number") {
          target[row] = fromFixedPoint(stored, descriptor);
        }
      }
      row += 1;
    });
  }

  return sortByTime({ t, series, units });
}

function isInRange(hourStart: number, seconds: number, fromMs: number, toMs: number): boolean {
  const at = hourStart + seconds * 1000;
  return at >= fromMs && at < toMs;
}

/** The documents whose day overlaps the range, chronologically, refusing a day given twice. */
function daysInRange(
  days: readonly TelemetryDayDoc[],
  fromMs: number,
  toMs: number,
): TelemetryDayDoc[] {
  const seen = new Set<string>();
  for (const doc of days) {
    if (seen.has(doc.day)) throw new DuplicateDay(doc.day);
    seen.add(doc.day);
  }
  return days
    .filter((doc) => {
      const dayStart = startOfDay(doc.day);
      return dayStart < toMs && dayStart + DAY_MS > fromMs;
    })
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** Unit per returned metric, checking that every day in range agrees on it. */
function unitsOf(
  days: readonly TelemetryDayDoc[],
  metricNames: readonly string[] | undefined,
): Record<string, string> {
  const firstSeen = new Map<string, { day: string; descriptor: MetricDescriptor }>();
  for (const doc of days) {
    for (const [name, descriptor] of Object.entries(doc.metrics)) {
      if (metricNames !== undefined && !metricNames.includes(name)) continue;
      const first = firstSeen.get(name);
      if (first === undefined) firstSeen.set(name, { day: doc.day, descriptor });
      else if (first.descriptor.unit !== descriptor.unit) {
        throw new MetricUnitMismatch(name, first, { day: doc.day, descriptor });
      }
    }
  }
  const units: Record<string, string> = {};
  for (const name of metricNames ?? firstSeen.keys()) {
    units[name] = firstSeen.get(name)?.descriptor.unit ?? "";
  }
  return units;
}

/** The hour buckets of those days that overlap the range, chronologically. */
function segmentsInRange(
  days: readonly TelemetryDayDoc[],
  fromMs: number,
  toMs: number,
): Segment[] {
  const segments: Segment[] = [];
  for (const doc of days) {
    const dayStart = startOfDay(doc.day);
    HOUR_KEYS.forEach((key, hour) => {
      const bucket = Object.hasOwn(doc.hours, key) ? doc.hours[key] : undefined;
      const hourStart = dayStart + hour * HOUR_MS;
      if (bucket === undefined || hourStart >= toMs || hourStart + HOUR_MS <= fromMs) return;
      segments.push({ hourStart, bucket, metrics: doc.metrics });
    });
  }
  return segments;
}

/**
 * Puts rows in time order. The agent appends in time order, so this is normally one check; a
 * clock stepped back mid-hour is the exception, and uPlot needs ascending times.
 */
function sortByTime(range: TelemetryRange): TelemetryRange {
  const { t, series, units } = range;
  let sorted = true;
  for (let i = 1; i < t.length && sorted; i += 1) sorted = (t[i - 1] as number) <= (t[i] as number);
  if (sorted) return range;
  // Array.prototype.sort is stable, so samples with equal times keep their written order.
  const order = Array.from(t.keys()).sort((a, b) => (t[a] as number) - (t[b] as number));
  const permute = (column: Float64Array) =>
    Float64Array.from(order, (index) => column[index] as number);
  const sortedSeries: Record<string, Float64Array> = {};
  for (const [name, column] of Object.entries(series)) sortedSeries[name] = permute(column);
  return { t: permute(t), series: sortedSeries, units };
}
