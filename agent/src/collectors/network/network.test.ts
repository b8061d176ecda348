import { describe, expect, it } from "vitest";
import { linuxNetworkStats } from "../linux-network-stats.js";
import type { SystemInfo } from "../system-info.js";
import { runCollectorContract } from "../testing/collector-contract.js";
import { fixtureContext, fixtureSystem } from "../testing/fixture-context.js";
import { networkCollector } from "./network.js";

const testdata = new URL("testdata", import.meta.url).pathname;

/** Answers each call from the next variant (`undefined` = the plain fixture), ten seconds apart. */
function sequence(variants: (string | undefined)[]) {
  let call = 0;
  let now = Date.UTC(2026, 0, 1);
  const system: SystemInfo = {
    ...fixtureSystem(testdata),
    networkStats: () => fixtureSystem(testdata, variants[call++]).networkStats(),
  };
  return fixtureContext(system, { now: () => (now += 10_000) });
}

describe("network collector", () => {
  runCollectorContract(networkCollector, () => fixtureContext(fixtureSystem(testdata)));

  it("reports nothing on the first tick, then the rate over every interface but loopback", async () => {
    const instance = networkCollector.create(sequence([undefined, "later"]));
    expect(await instance.collect()).toEqual({});
    // "later" adds 10,240,000 bytes received and 512,000 sent on eth0 (and on lo, ignored).
    expect(await instance.collect()).toEqual({ netRx: 1000, netTx: 50 });
  });

  it("leaves out an interface whose counters reset and one that just appeared", async () => {
    const instance = networkCollector.create(sequence([undefined, "reset"]));
    await instance.collect();
    expect(await instance.collect()).toEqual({ netRx: 0, netTx: 0 });
  });
});

describe("linuxNetworkStats", () => {
  it("reads the same counters as systeminformation from a sysfs tree, without a shell", async () => {
    const stats = await linuxNetworkStats(`${testdata}/sys-class-net`);
    const recorded = fixtureSystem(testdata).networkStats();
    const pick = (s: { iface: string; rx_bytes: number; tx_bytes: number; operstate: string }) =>
      [s.iface, s.rx_bytes, s.tx_bytes, s.operstate] as const;
    expect(stats?.map(pick).sort()).toEqual((await recorded).map(pick).sort());
  });

  it("says undefined where there is no sysfs, so the facade falls back", async () => {
    expect(await linuxNetworkStats(`${testdata}/no-such-folder`)).toBeUndefined();
  });
});
