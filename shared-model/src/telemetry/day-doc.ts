import {
  type MetricDescriptor,
  TELEMETRY_DAY_DOC_SCHEMA,
  type TelemetryDayDoc,
} from "../documents/telemetry-day-doc.js";
import type { Day, DeviceId } from "../ids/ids.js";
import { InvalidDayDocSetting } from "./errors.js";

/**
 * The initial content of a device's telemetry document for one UTC day, to pass to
 * `repo.create(...)`. Hour buckets are created by {@link appendSample} as samples arrive, so an
 * hour the device was off costs nothing.
 *
 * @param intervalS - the sampling interval in force when the day starts, whole seconds.
 * @param metrics - every metric the agent may write that day; descriptors are copied.
 * @throws {InvalidDayDocSetting} for a non-positive interval or an unusable descriptor.
 */
export function createTelemetryDayDoc(
  deviceId: DeviceId,
  day: Day,
  intervalS: number,
  metrics: Readonly<Record<string, MetricDescriptor>>,
): TelemetryDayDoc {
  if (!Number.isInteger(intervalS) || intervalS <= 0) {
    throw new InvalidDayDocSetting("intervalS", intervalS, "a positive whole number of seconds");
  }
  const copied: Record<string, MetricDescriptor> = {};
  for (const [name, descriptor] of Object.entries(metrics)) {
    if (!Number.isFinite(descriptor.scale) || descriptor.scale <= 0) {
      throw new InvalidDayDocSetting(
        `metrics.${name}.scale`,
        descriptor.scale,
        "a positive number",
      );
    }
    if (typeof descriptor.unit !== "string") {
      throw new InvalidDayDocSetting(`metrics.${name}.unit`, descriptor.unit, "a string");
    }
    // Only the two known fields: anything else would be written into every day document.
    copied[name] = { unit: descriptor.unit, scale: descriptor.scale };
  }
  return {
    schema: TELEMETRY_DAY_DOC_SCHEMA,
    deviceId,
    day,
    intervalS,
    metrics: copied,
    hours: {},
    audit: [],
  };
}
