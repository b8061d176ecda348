import type { MetricDescriptor } from "../documents/telemetry-day-doc.js";

/**
 * Base class of every telemetry error, so a caller (the agent's sampler, the dashboard's chart)
 * can catch the whole family with one `instanceof` and still tell the failure modes apart.
 */
export class TelemetryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TelemetryError";
  }
}

/** A sample carries a metric that the day document does not declare in `metrics`. */
export class UnknownMetric extends TelemetryError {
  constructor(
    readonly metric: string,
    readonly declared: readonly string[],
  ) {
    super(
      `sample has metric ${JSON.stringify(metric)}, which the day document does not declare ` +
        `(declared: ${declared.join(", ") || "none"}); declare it when the day document is created`,
    );
    this.name = "UnknownMetric";
  }
}

/** A sample's timestamp is not on the UTC day of the document it is written to. */
export class SampleOutsideDay extends TelemetryError {
  constructor(
    readonly at: number,
    readonly day: string,
  ) {
    const when = Number.isFinite(at) ? new Date(at).toISOString() : String(at);
    super(`sample taken at ${when} is not on ${day} (UTC); write it to that day's document`);
    this.name = "SampleOutsideDay";
  }
}

/** A sample value is NaN, infinite, not a number, or too large for its fixed-point integer. */
export class InvalidSampleValue extends TelemetryError {
  constructor(
    readonly metric: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`sample value of ${JSON.stringify(metric)} is ${String(value)}: ${reason}`);
    this.name = "InvalidSampleValue";
  }
}

/** A metric descriptor or sampling interval given to a new day document is unusable. */
export class InvalidDayDocSetting extends TelemetryError {
  constructor(
    readonly path: string,
    readonly received: unknown,
    readonly expected: string,
  ) {
    super(`${path} is ${JSON.stringify(received)}: expected ${expected}`);
    this.name = "InvalidDayDocSetting";
  }
}

/** Two day documents in one range declare the same metric with different units. */
export class MetricUnitMismatch extends TelemetryError {
  constructor(
    readonly metric: string,
    readonly first: { day: string; descriptor: MetricDescriptor },
    readonly second: { day: string; descriptor: MetricDescriptor },
  ) {
    super(
      `metric ${JSON.stringify(metric)} is in ${JSON.stringify(first.descriptor.unit)} on ` +
        `${first.day} but in ${JSON.stringify(second.descriptor.unit)} on ${second.day}; ` +
        "read the days separately",
    );
    this.name = "MetricUnitMismatch";
  }
}

/** The same UTC day was passed twice to a range read, which would duplicate its samples. */
export class DuplicateDay extends TelemetryError {
  constructor(readonly day: string) {
    super(`day ${day} was given twice; pass each day document once`);
    this.name = "DuplicateDay";
  }
}
