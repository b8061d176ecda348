import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { LinuxLoadSource } from "../gates/linux-load-source.js";
import { LoadWatch } from "./load-watch.js";

const execFileAsync = promisify(execFile);
const before = { at: 0, cpuPercent: 8.04, memoryPercent: 51.26, diskBusyPercent: 0 };

describe("LoadWatch", () => {
  it("reports the reading before the start and the peak of each figure during the run", async () => {
    const readings = [
      { at: 1, cpuPercent: 20, memoryPercent: 60, diskBusyPercent: 90 },
      { at: 2, cpuPercent: 95.55, memoryPercent: 55, diskBusyPercent: 10 },
    ];
    const watch = new LoadWatch(before, { read: async () => readings.shift() }, 5);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await watch.finish()).toEqual({
      cpuPercentBefore: 8,
      memoryPercentBefore: 51.3,
      diskBusyPercentBefore: 0,
      cpuPercentPeak: 95.6,
      memoryPercentPeak: 60,
      diskBusyPercentPeak: 90,
    });
  });

  it("has no peak when the source fails or has none, and no figures at all without readings", async () => {
    const failing = new LoadWatch(before, {
      read: () => Promise.reject(new Error("no /proc")),
    });
    expect(Object.keys(await failing.finish())).toEqual([
      "cpuPercentBefore",
      "memoryPercentBefore",
      "diskBusyPercentBefore",
    ]);
    expect(await new LoadWatch(undefined, undefined).finish()).toEqual({});
  });

  it.runIf(process.platform === "linux")(
    "sees a busy process in /proc even when the run is shorter than one reading interval",
    async () => {
      const watch = new LoadWatch(before, new LinuxLoadSource());
      // The run: a child holding one core for half a second.
      await execFileAsync(process.execPath, [
        "-e",
        "const end = Date.now() + 500; while (Date.now() < end);",
      ]);
      const metrics = await watch.finish();
      // One of two cores busy for the whole run, whatever else the machine does.
      expect(metrics.cpuPercentPeak).toBeGreaterThan(30);
    },
  );
});
