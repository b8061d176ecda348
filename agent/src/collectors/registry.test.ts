import { describe, expect, it } from "vitest";
import { ALL_COLLECTORS } from "./all.js";
import { metricsOf, selectCollectors, UnknownCollector } from "./registry.js";

describe("selectCollectors", () => {
  it("gives every plugin by default and the named ones in the order named", () => {
    expect(selectCollectors(ALL_COLLECTORS)).toEqual(ALL_COLLECTORS);
    expect(selectCollectors(ALL_COLLECTORS, ["network", "cpu"]).map((c) => c.name)).toEqual([
      "network",
      "cpu",
    ]);
  });

  it("names the unknown collector and lists the known ones", () => {
    expect(() => selectCollectors(ALL_COLLECTORS, ["cpu", "gpu"])).toThrow(UnknownCollector);
    expect(() => selectCollectors(ALL_COLLECTORS, ["gpu"])).toThrow(
      'unknown collector "gpu"; known: cpu, memory, disk, network, battery, temperature, uptime, processes, connectivity',
    );
  });

  it("has unique names, and metricsOf declares every metric of the chosen plugins", () => {
    const names = ALL_COLLECTORS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(
      Object.keys(metricsOf(selectCollectors(ALL_COLLECTORS, ["network", "connectivity"]))),
    ).toEqual(["netRx", "netTx", "online", "rtt"]);
  });
});
