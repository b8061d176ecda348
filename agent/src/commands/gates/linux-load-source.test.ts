import { spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LinuxLoadSource } from "./linux-load-source.js";
import { LoadGate } from "./load-gate.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("LinuxLoadSource", () => {
  it("gives CPU, memory and busiest-disk percentages between two readings", async () => {
    const proc = await mkdtemp(join(tmpdir(), "outpost-proc-"));
    try {
      let now = 0;
      const source = new LinuxLoadSource({ procRoot: proc, now: () => now });
      await cp(join(testdata, "load-1"), proc, { recursive: true });
      expect(await source.read()).toBeUndefined(); // the baseline
      await cp(join(testdata, "load-2"), proc, { recursive: true });
      now = 10_000;
      expect(await source.read()).toEqual({
        at: 10_000,
        // busy +800 (user 600, system 200) of total +1000
        cpuPercent: 80,
        // (1,000,000 - 250,000) / 1,000,000
        memoryPercent: 75,
        // sda: 2,500 ms of I/O in 10 s; partitions and loop devices do not count
        diskBusyPercent: 25,
      });
    } finally {
      await rm(proc, { recursive: true, force: true });
    }
  });

  it("reads this machine's /proc", async () => {
    const source = new LinuxLoadSource();
    await source.read();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const reading = await source.read();
    for (const value of [reading?.cpuPercent, reading?.memoryPercent, reading?.diskBusyPercent]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(100);
    }
  });
});

describe("the load gate on real load", () => {
  it("stays closed while a busy process holds the CPU and opens once it stops", {
    timeout: 30_000,
  }, async () => {
    // Every core spinning, against a threshold of 90 %: other test files running in parallel
    // (a core's worth, at most) neither hide the spinners nor keep the machine "busy" after them.
    const gate = new LoadGate({
      cpuPercent: 90,
      memoryPercent: 99,
      diskBusyPercent: 99,
      sustainedS: 1,
    });
    const source = new LinuxLoadSource();
    const observe = async (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const reading = await source.read();
        if (reading) gate.observe(reading);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const untilOpen = async () => {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        await observe(500);
        if (gate.check(Date.now()).open) return true;
      }
      return false;
    };
    // Calm first, so that closing below is the spinners' doing, not the gate's starting state.
    expect(await untilOpen()).toBe(true);
    const spinners = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
    );
    try {
      await observe(2_000);
      expect(gate.check(Date.now())).toMatchObject({ open: false, reason: "load" });
    } finally {
      for (const spinner of spinners) spinner.kill("SIGKILL");
    }
    const opened = await untilOpen();
    expect(opened).toBe(true);
  });
});
