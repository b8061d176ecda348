import { describe, expect, it } from "vitest";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { processesCollector } from "./processes.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("processes collector", () => {
  runCollectorContract(processesCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports how many processes run", async () => {
    const readings = await processesCollector
      .create(fixtureContext(fixtureSystem(testdata)))
      .collect();
    expect(readings).toEqual({ processes: 66 });
  });
});
