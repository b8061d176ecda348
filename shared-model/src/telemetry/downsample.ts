import type { HourBucket, TelemetryDayDoc } from "../documents/telemetry-day-doc.js";
import { InvalidDayDocSetting } from "./errors.js";

/**
 * A coarser copy of a day document's samples, for a device that must stay within its disk budget
 * while offline (ARCHITECTURE.md, "Gates and defaults": downsampled, never silently dropped). Each
 * hour's rows are grouped into windows of `intervalS * factor` seconds; a window keeps one row at
 * its start, each metric the rounded mean of the values it had there (`null` when it had none).
 * Windows without a row stay absent. The result is plain data for `repo.create`; the audit list is
 * copied.
 *
 * @throws {InvalidDayDocSetting} for a factor that is not an integer of 2 or more.
 */
export function downsampleDay(doc: TelemetryDayDoc, factor: number): TelemetryDayDoc {
  if (!Number.isInteger(factor) || factor < 2) {
    throw new InvalidDayDocSetting("factor", factor, "a whole number of 2 or more");
  }
  const windowS = doc.intervalS * factor;
  const hours: Record<string, HourBucket> = {};
  for (const [hourKey, bucket] of Object.entries(doc.hours)) {
    hours[hourKey] = downsampleHour(bucket, windowS);
  }
  return {
    schema: doc.schema,
    deviceId: doc.deviceId,
    day: doc.day,
    intervalS: windowS,
    // Field by field: `doc` may be an Automerge proxy, which structuredClone refuses.
    metrics: Object.fromEntries(
      Object.entries(doc.metrics).map(([name, d]) => [name, { unit: d.unit, scale: d.scale }]),
    ),
    hours,
    audit: doc.audit.map(({ at, actor, action, detail }) => ({ at, actor, action, detail })),
  };
}

function downsampleHour(bucket: HourBucket, windowS: number): HourBucket {
  const windows = new Map<number, number[]>();
  bucket.t.forEach((t, row) => {
    const start = t - (t % windowS);
    const rows = windows.get(start);
    if (rows) rows.push(row);
    else windows.set(start, [row]);
  });
  const starts = [...windows.keys()].sort((a, b) => a - b);
  const v: Record<string, (number | null)[]> = {};
  for (const [name, column] of Object.entries(bucket.v)) {
    v[name] = starts.map((start) => meanOf(column, windows.get(start) ?? []));
  }
  return { t: starts, v };
}

function meanOf(column: readonly (number | null)[], rows: readonly number[]): number | null {
  let sum = 0;
  let count = 0;
  for (const row of rows) {
    const value = column[row];
    if (typeof value !== "number") continue;
    sum += value;
    count += 1;
  }
  // `+ 0` keeps a rounded -0 an integer zero for Automerge.
  return count === 0 ? null : Math.round(sum / count) + 0;
}

/** Rows (sample ticks) in a day document. */
export function countSamples(doc: TelemetryDayDoc): number {
  let rows = 0;
  for (const bucket of Object.values(doc.hours)) rows += bucket.t.length;
  return rows;
}
