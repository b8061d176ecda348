import { describe, expect, it } from "vitest";
import { CollectorFailed } from "../collector.js";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { uptimeCollector } from "./uptime.js";

const testdata = new URL("testdata", import.meta.url).pathname;

describe("uptime collector", () => {
  runCollectorContract(uptimeCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports whole minutes since boot", async () => {
    const readings = await uptimeCollector
      .create(fixtureContext(fixtureSystem(testdata)))
      .collect();
    // time.json: uptime 18085.63 s
    expect(readings).toEqual({ uptime: 301 });
  });

  it("says so when the platform gives no uptime", async () => {
    const system = fixtureSystem(testdata, "missing");
    await expect(uptimeCollector.create(fixtureContext(system)).collect()).rejects.toThrow(
      CollectorFailed,
    );
  });
});
