import { describe, expect, it } from "vitest";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { diskCollector } from "./disk.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("disk collector", () => {
  runCollectorContract(diskCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports usage of / and no health where no disk reports SMART (a VM)", async () => {
    const readings = await diskCollector.create(fixtureContext(fixtureSystem(testdata))).collect();
    // fsSize.json: used 23965736960 of 270553174016
    expect(readings.disk).toBeCloseTo(8.858, 3);
    expect(readings).not.toHaveProperty("diskFailing");
  });

  it("picks C: on Windows and counts disks failing SMART", async () => {
    const system = fixtureSystem(testdata, "windows");
    const readings = await diskCollector.create(fixtureContext(system)).collect();
    expect(readings.disk).toBeCloseTo(78.78, 2);
    expect(readings.diskFailing).toBe(1);
  });

  it("reads SMART once an hour and repeats the last answer in between", async () => {
    let calls = 0;
    let now = Date.UTC(2026, 0, 1);
    const base = fixtureSystem(testdata, "windows");
    const system = {
      ...base,
      diskLayout: () => {
        calls += 1;
        return base.diskLayout();
      },
    };
    const instance = diskCollector.create(fixtureContext(system, { now: () => now }));
    for (let minute = 0; minute < 61; minute += 1) {
      expect((await instance.collect()).diskFailing).toBe(1);
      now += 60_000;
    }
    expect(calls).toBe(2);
  });

  it("keeps the usage reading when SMART cannot be read", async () => {
    const base = fixtureSystem(testdata, "windows");
    const system = { ...base, diskLayout: () => Promise.reject(new Error("smartctl: not found")) };
    const readings = await diskCollector.create(fixtureContext(system)).collect();
    expect(readings).toEqual({ disk: expect.closeTo(78.78, 2) });
  });
});
