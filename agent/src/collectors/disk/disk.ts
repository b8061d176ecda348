import { STANDARD_METRICS } from "@outpost/shared-model";
import type { Systeminformation } from "systeminformation";
import { type Collector, CollectorFailed, type Readings } from "../collector.js";

/** SMART answers change over days, and reading them may wake disks: once an hour is plenty. */
const HEALTH_EVERY_MS = 3_600_000;

/**
 * Space used on the system volume, percent, and where the disks report it, how many fail their
 * SMART self-assessment. Usage runs `df` (a child process), so it is read once a minute.
 */
export const diskCollector: Collector = {
  name: "disk",
  metrics: { disk: STANDARD_METRICS.disk, diskFailing: STANDARD_METRICS.diskFailing },
  defaults: { intervalS: 60 },
  create: ({ system, now }) => {
    let failing: number | undefined;
    let healthCheckedAt = Number.NEGATIVE_INFINITY;
    return {
      async collect(): Promise<Readings> {
        let volumes: Systeminformation.FsSizeData[];
        try {
          volumes = await system.fsSize();
        } catch (cause) {
          throw new CollectorFailed("disk", "reading file system usage", cause);
        }
        const readings: Readings = {};
        const volume = systemVolume(volumes);
        if (volume && volume.size > 0) readings.disk = (volume.used / volume.size) * 100;
        if (now() - healthCheckedAt >= HEALTH_EVERY_MS) {
          healthCheckedAt = now();
          // Health is optional: a failure to read it must not cost the usage reading.
          failing = await system.diskLayout().then(countFailing, () => undefined);
        }
        if (failing !== undefined) readings.diskFailing = failing;
        return readings;
      },
    };
  },
};

/** The volume the OS runs from: `/` on Unix, `C:` on Windows, else the largest. */
function systemVolume(
  volumes: readonly Systeminformation.FsSizeData[],
): Systeminformation.FsSizeData | undefined {
  return (
    volumes.find((v) => v.mount === "/") ??
    volumes.find((v) => /^c:/i.test(v.mount) || /^c:/i.test(v.fs)) ??
    [...volumes].sort((a, b) => b.size - a.size)[0]
  );
}

/** Disks failing SMART, or `undefined` when no disk reports a SMART status at all. */
function countFailing(disks: readonly Systeminformation.DiskLayoutData[]): number | undefined {
  const known = disks.filter((d) => d.smartStatus && d.smartStatus.toLowerCase() !== "unknown");
  if (known.length === 0) return undefined;
  return known.filter((d) => d.smartStatus.toLowerCase() !== "ok").length;
}
