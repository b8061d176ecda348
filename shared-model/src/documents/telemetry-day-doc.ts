import type { Day, DeviceId } from "../ids/ids.js";
import type { Stored } from "./stored-strings.js";

/** The schema version this code writes and reads for {@link TelemetryDayDoc}. */
export const TELEMETRY_DAY_DOC_SCHEMA = 1;

/**
 * How a metric is stored: values are fixed-point integers, `stored = round(value * scale)`,
 * because integers compress far better than floats in Automerge's columnar encoding.
 */
export interface MetricDescriptor {
  /** Unit of the real value, e.g. `%`, `MiB`, `°C`, `ms`. */
  unit: string;
  /** Multiplier from real value to stored integer (10 for 0.1 % resolution). */
  scale: number;
}

/**
 * The samples of one UTC hour: `t` seconds since the start of that hour (0..3599, values that
 * recur every hour and so compress well), and one column per metric aligned with `t`.
 */
export interface HourBucket {
  t: number[];
  /** Column per metric, aligned with `t`; `null` where that sample lacked the metric. */
  v: Record<string, (number | null)[]>;
}

/** An agent audit record; the day document of the day it happened holds it. */
export interface AuditEntry {
  at: number;
  /** Principal that asked (`admin:alice`, `agent:<deviceId>`, `relay`). */
  actor: string;
  /** Kebab-case action, e.g. `command-started`, `policy-applied`, `telemetry-downsampled`. */
  action: string;
  detail: string;
}

/** One per device per UTC day, written by the agent alone. */
// A type alias, not an interface: Automerge.from wants an implicit index signature.
export type TelemetryDayDoc = {
  schema: typeof TELEMETRY_DAY_DOC_SCHEMA;
  deviceId: DeviceId;
  day: Day;
  intervalS: number;
  metrics: Record<string, MetricDescriptor>;
  /** Keyed `"00"`..`"23"`; a bucket exists once its hour has a sample. */
  hours: Record<string, HourBucket>;
  /**
   * Its strings as `ImmutableString` scalars (documents/stored-strings.ts), or text in documents
   * written before: read through `toPlain`. A settling queue audits thousands of commands a day,
   * and as text every character of a detail was one operation kept in memory for good.
   */
  audit: Stored<AuditEntry>[];
};
