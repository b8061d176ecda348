import type { MetricDescriptor } from "../documents/telemetry-day-doc.js";

/**
 * The agent's standard metrics and how each is stored. Scales give the resolution a human reads
 * on a chart and no finer: extra digits would only be noise that costs bytes in every sample.
 */
export const STANDARD_METRICS = {
  /** CPU busy, all cores, in 0.1 %. */
  cpu: { unit: "%", scale: 10 },
  /** Memory in use, whole MiB. */
  memory: { unit: "MiB", scale: 1 },
  /** Space used on the system disk, in 0.1 %. */
  disk: { unit: "%", scale: 10 },
  /** Received on all interfaces, whole KiB/s. */
  netRx: { unit: "KiB/s", scale: 1 },
  /** Sent on all interfaces, whole KiB/s. */
  netTx: { unit: "KiB/s", scale: 1 },
  /** Hottest CPU sensor, in 0.1 °C. */
  temperature: { unit: "°C", scale: 10 },
  /** Battery charge, whole percent. */
  battery: { unit: "%", scale: 1 },
  /** Round trip to the relay, whole ms; absent while offline. */
  rtt: { unit: "ms", scale: 1 },
  /** 1 while connected to the relay, 0 while not: when a device was unreachable. */
  online: { unit: "bool", scale: 1 },
  /** Time since boot, whole minutes. */
  uptime: { unit: "min", scale: 1 },
  /** Processes running on the device. */
  processes: { unit: "count", scale: 1 },
  /** Disks whose SMART self-assessment failed; absent where no disk reports one. */
  diskFailing: { unit: "count", scale: 1 },
} satisfies Record<string, MetricDescriptor>;

/** Name of one of the {@link STANDARD_METRICS}. */
export type StandardMetricName = keyof typeof STANDARD_METRICS;

/**
 * The stored integer for a real value: `round(value * scale)`. The caller checks the value is
 * finite; a non-finite value yields a non-finite result.
 */
export function toFixedPoint(value: number, descriptor: MetricDescriptor): number {
  // `+ 0` turns -0 (from rounding a small negative value) into 0, which Automerge stores as int.
  return Math.round(value * descriptor.scale) + 0;
}

/** The real value of a stored integer: `stored / scale`. */
export function fromFixedPoint(stored: number, descriptor: MetricDescriptor): number {
  return stored / descriptor.scale;
}
