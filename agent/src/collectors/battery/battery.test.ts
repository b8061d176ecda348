import { describe, expect, it } from "vitest";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { batteryCollector } from "./battery.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("battery collector", () => {
  runCollectorContract(batteryCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports the charge of a laptop's battery", async () => {
    const system = fixtureSystem(testdata, "laptop");
    expect(await batteryCollector.create(fixtureContext(system)).collect()).toEqual({
      battery: 67,
    });
  });

  it("reports nothing on a desktop or VM, not 0 %", async () => {
    const system = fixtureSystem(testdata, "desktop");
    expect(await batteryCollector.create(fixtureContext(system)).collect()).toEqual({});
  });
});
