import type { DeviceDoc } from "../documents/device-doc.js";
import type { MetricRollup } from "../telemetry/rollup.js";

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

/** A day's rollup as far as it goes: today's, from the open day document. */
export interface LiveRollup {
  day: string;
  rollup: Record<string, MetricRollup>;
}

/** Fewer samples than this say little about an average: today's averages wait for an hour. */
const MIN_SAMPLES_FOR_AVERAGE = 360;

/**
 * A device's health from the newest closed day's rollup in its telemetry index (the fleet view
 * needs no day document), worsened by today's so far when the open day is loaded (`live`), and
 * its inventory (memory size). `unknown` with neither.
 */
export function healthOf(
  doc: Pick<DeviceDoc, "telemetry" | "inventory">,
  live?: LiveRollup,
): HealthVerdict {
  const days = Object.keys(doc.telemetry ?? {}).sort();
  const day = days.reverse().find((d) => doc.telemetry[d as keyof DeviceDoc["telemetry"]]?.rollup);
  const rollup = day ? doc.telemetry[day as keyof DeviceDoc["telemetry"]]?.rollup : undefined;
  const memoryMiB = doc.inventory?.hardware?.memoryMiB;
  const findings = rollup ? findingsOf(rollup, memoryMiB, true) : [];
  const today = live && live.day !== day ? findingsOf(live.rollup, memoryMiB, false) : [];
  for (const finding of today) findings.push({ ...finding, reason: `${finding.reason} today` });
  if (rollup === undefined && live === undefined) return { health: "unknown", reasons: [] };
  const health = findings.some((f) => f.level === "critical")
    ? "critical"
    : findings.length > 0
      ? "warning"
      : "ok";
  return { health, reasons: findings.map((f) => f.reason), day: live?.day ?? day };
}

function findingsOf(
  rollup: Record<string, MetricRollup>,
  memoryMiB: number | undefined,
  closedDay: boolean,
): { level: "warning" | "critical"; reason: string }[] {
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
  const average = (name: string) => {
    const metric = rollup[name];
    return metric && (closedDay || metric.count >= MIN_SAMPLES_FOR_AVERAGE)
      ? metric.avg
      : undefined;
  };
  check(rollup.disk?.max, HEALTH_THRESHOLDS.diskPercentMax, (v) => `disk ${round(v)} % full`);
  check(
    average("cpu"),
    HEALTH_THRESHOLDS.cpuPercentAvg,
    (v) => `CPU ${round(v)} % busy on average`,
  );
  const memory = average("memory");
  if (memoryMiB && memory !== undefined) {
    check(
      (memory / memoryMiB) * 100,
      HEALTH_THRESHOLDS.memoryPercentAvg,
      (v) => `memory ${round(v)} % used on average`,
    );
  }
  check(rollup.temperature?.max, HEALTH_THRESHOLDS.temperatureMax, (v) => `CPU at ${round(v)} °C`);
  const failing = rollup.diskFailing?.max;
  if (failing !== undefined && failing >= 1) {
    findings.push({ level: "critical", reason: `${failing} disk(s) failing SMART` });
  }
  return findings;
}

function round(value: number): number {
  return Math.round(value);
}
