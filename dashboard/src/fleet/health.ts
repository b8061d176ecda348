import type { DeviceDoc, MetricRollup } from "@outpost/shared-model";

/** How a device is doing, worst first. */
export type Health = "critical" | "warning" | "ok" | "unknown";

/** Health, worst first, for sorting and filters. */
export const HEALTH_ORDER: readonly Health[] = ["critical", "warning", "ok", "unknown"];

/** A device's health and why. */
export interface HealthVerdict {
  health: Health;
  /** What made it warning or critical, for a person: `disk 96 % full`. */
  reasons: string[];
  /** The UTC day the verdict is from. */
  day?: string;
}

/**
 * Thresholds on a closed day's rollup. A day's average says "this is how the machine lives";
 * a maximum says "this happened": full disks, failing disks and heat are maxima, busy CPU and
 * memory are averages (a compile at noon is not a problem).
 */
export const HEALTH_THRESHOLDS = {
  diskPercentMax: { warning: 85, critical: 95 },
  cpuPercentAvg: { warning: 85, critical: 97 },
  memoryPercentAvg: { warning: 90, critical: 97 },
  temperatureMax: { warning: 85, critical: 95 },
} as const;

/**
 * A device's health from the newest closed day's rollup in its telemetry index (the fleet view
 * needs no day document) and its inventory (memory size). `unknown` without a closed day.
 */
export function healthOf(doc: Pick<DeviceDoc, "telemetry" | "inventory">): HealthVerdict {
  const days = Object.keys(doc.telemetry ?? {}).sort();
  const day = days.reverse().find((d) => doc.telemetry[d as keyof DeviceDoc["telemetry"]]?.rollup);
  const rollup = day ? doc.telemetry[day as keyof DeviceDoc["telemetry"]]?.rollup : undefined;
  if (day === undefined || rollup === undefined) return { health: "unknown", reasons: [] };
  const findings: { level: "warning" | "critical"; reason: string }[] = [];
  const check = (
    value: number | undefined,
    limits: { warning: number; critical: number },
    reason: (value: number) => string,
  ) => {
    if (value === undefined || !Number.isFinite(value)) return;
    if (value >= limits.critical) findings.push({ level: "critical", reason: reason(value) });
    else if (value >= limits.warning) findings.push({ level: "warning", reason: reason(value) });
  };
  const metric = (name: string): MetricRollup | undefined => rollup[name];
  check(metric("disk")?.max, HEALTH_THRESHOLDS.diskPercentMax, (v) => `disk ${round(v)} % full`);
  check(
    metric("cpu")?.avg,
    HEALTH_THRESHOLDS.cpuPercentAvg,
    (v) => `CPU ${round(v)} % busy on average`,
  );
  const memoryMiB = doc.inventory?.hardware?.memoryMiB;
  const memory = metric("memory")?.avg;
  if (memoryMiB && memory !== undefined) {
    check(
      (memory / memoryMiB) * 100,
      HEALTH_THRESHOLDS.memoryPercentAvg,
      (v) => `memory ${round(v)} % used on average`,
    );
  }
  check(
    metric("temperature")?.max,
    HEALTH_THRESHOLDS.temperatureMax,
    (v) => `CPU at ${round(v)} °C`,
  );
  const failing = metric("diskFailing")?.max;
  if (failing !== undefined && failing >= 1) {
    findings.push({ level: "critical", reason: `${failing} disk(s) failing SMART` });
  }
  const health = findings.some((f) => f.level === "critical")
    ? "critical"
    : findings.length > 0
      ? "warning"
      : "ok";
  return { health, reasons: findings.map((f) => f.reason), day };
}

function round(value: number): number {
  return Math.round(value);
}
