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
  it("closes while busy processes hold every core, and the readings fall once they stop", {
    timeout: 90_000,
  }, async () => {
    // The test can make the machine busier, never calm (CI may run anything beside it): a real
    // reading is trusted to be high while every core spins, and only to fall once the spinners
    // stop. What calm means, with hysteresis, is load-gate.test.ts's subject over scripted readings.
    const gate = new LoadGate({
      cpuPercent: 80,
      memoryPercent: 99,
      diskBusyPercent: 99,
      sustainedS: 1,
    });
    const source = new LinuxLoadSource();
    const readings: number[] = [];
    const observe = async (count: number) => {
      for (let taken = 0; taken < count; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const reading = await source.read();
        if (reading === undefined) continue;
        gate.observe(reading);
        readings.push(reading.cpuPercent);
        taken += 1;
      }
    };
    await source.read(); // the baseline of the first rate
    const spinners = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
    );
    let spinning: number[];
    try {
      await observe(2); // the rate over the spinners' start
      readings.length = 0;
      await observe(4);
      spinning = [...readings];
      expect(gate.check(Date.now())).toMatchObject({ open: false, reason: "load" });
    } finally {
      for (const spinner of spinners) spinner.kill("SIGKILL");
    }
    expect(Math.min(...spinning), `readings while spinning: ${spinning}`).toBeGreaterThan(90);
    // Stopped, they leave a core at least to whatever else runs: readings fall below the spin.
    // Other test files may hold both cores for a while (an agent build, Chromium), so this looks
    // for up to 45 s; it stops at the first reading that fell.
    readings.length = 0;
    for (let look = 0; look < 180 && !readings.some((cpu) => cpu < 85); look += 1) await observe(1);
    expect(Math.min(...readings), `readings after the spinners: ${readings}`).toBeLessThan(85);
  });
});
