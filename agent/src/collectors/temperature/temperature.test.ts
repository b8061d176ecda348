import { describe, expect, it } from "vitest";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { temperatureCollector } from "./temperature.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("temperature collector", () => {
  runCollectorContract(temperatureCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports the hottest sensor", async () => {
    const system = fixtureSystem(testdata, "laptop");
    const readings = await temperatureCollector.create(fixtureContext(system)).collect();
    expect(readings).toEqual({ temperature: 57.5 });
  });

  it("ignores the zeros firmware reports for a missing sensor", async () => {
    const system = fixtureSystem(testdata, "bogus");
    expect(await temperatureCollector.create(fixtureContext(system)).collect()).toEqual({});
  });

  it("without a sensor, asks again only every ten minutes", async () => {
    let calls = 0;
    let now = Date.UTC(2026, 0, 1);
    const base = fixtureSystem(testdata);
    const system = {
      ...base,
      cpuTemperature: () => {
        calls += 1;
        return base.cpuTemperature();
      },
    };
    const instance = temperatureCollector.create(fixtureContext(system, { now: () => now }));
    for (let minute = 0; minute <= 20; minute += 1) {
      expect(await instance.collect()).toEqual({});
      now += 60_000;
    }
    expect(calls).toBe(3);
  });
});
