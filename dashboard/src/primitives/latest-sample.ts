import { HOUR_KEYS, HOUR_MS, startOfDay, type TelemetryDayDoc } from "@outpost/shared-model";

/** Epoch ms of the newest sample in a day document, or `undefined` when it has none. */
export function latestSampleAt(doc: TelemetryDayDoc): number | undefined {
  const dayStart = startOfDay(doc.day);
  for (let hour = HOUR_KEYS.length - 1; hour >= 0; hour -= 1) {
    const key = HOUR_KEYS[hour] as string;
    const bucket = Object.hasOwn(doc.hours, key) ? doc.hours[key] : undefined;
    if (bucket === undefined || bucket.t.length === 0) continue;
    const seconds = Math.max(...bucket.t);
    return dayStart + hour * HOUR_MS + seconds * 1000;
  }
  return undefined;
}
