import { describe, expect, it } from "vitest";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { cpuCollector } from "./cpu.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("cpu collector", () => {
  runCollectorContract(cpuCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports the load of the last interval, as systeminformation computed it", async () => {
    const readings = await cpuCollector.create(fixtureContext(fixtureSystem(testdata))).collect();
    expect(readings.cpu).toBeCloseTo(0.985, 3);
  });

  it("clamps a value outside 0..100 (counter wrap on some kernels)", async () => {
    const system = fixtureSystem(testdata, "wrapped");
    const readings = await cpuCollector.create(fixtureContext(system)).collect();
    expect(readings).toEqual({ cpu: 100 });
  });
});
