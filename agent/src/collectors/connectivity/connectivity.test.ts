import { describe, expect, it } from "vitest";
import { runCollectorContract } from "../testing/collector-contract.js";
import { FakeConnectivity, fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { connectivityCollector } from "./connectivity.js";

const system = fixtureSystem(new URL(".", import.meta.url).pathname);

describe("connectivity collector", () => {
  const link = new FakeConnectivity();
  runCollectorContract(connectivityCollector, () => fixtureContext(system, { connectivity: link }));

  it("reports online with the round trip, then offline without one", async () => {
    const instance = connectivityCollector.create(fixtureContext(system, { connectivity: link }));
    link.online = true;
    link.rttMs = 23.4;
    expect(await instance.collect()).toEqual({ online: 1, rtt: 23.4 });
    link.online = false;
    expect(await instance.collect()).toEqual({ online: 0 });
  });

  it("counts a connection that answers no ping as offline", async () => {
    const instance = connectivityCollector.create(fixtureContext(system, { connectivity: link }));
    link.online = true;
    link.rttMs = undefined;
    expect(await instance.collect()).toEqual({ online: 0 });
  });
});
