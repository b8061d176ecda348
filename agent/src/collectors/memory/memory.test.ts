import { describe, expect, it } from "vitest";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { memoryCollector } from "./memory.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("memory collector", () => {
  runCollectorContract(memoryCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports total minus available, in MiB", async () => {
    const readings = await memoryCollector
      .create(fixtureContext(fixtureSystem(testdata)))
      .collect();
    // mem.json: total 25276510208, available 24892522496 → 383987712 bytes = 366.2 MiB
    expect(readings.memory).toBeCloseTo(366.2, 1);
  });

  it("reports nothing when the numbers make no sense (available above total)", async () => {
    const system = fixtureSystem(testdata, "inconsistent");
    expect(await memoryCollector.create(fixtureContext(system)).collect()).toEqual({});
  });
});
