import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { NetworkChangeWatch } from "./network-change-watch.js";

function address(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: "255.255.255.0", family: "IPv4", mac: "", internal, cidr: null };
}

/** A watch over interfaces and clocks the test sets; `check()` is called by hand. */
function watched(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>) {
  const world = { interfaces, wall: 1_000_000, mono: 0 };
  const reasons: string[] = [];
  const watch = new NetworkChangeWatch((reason) => reasons.push(reason), {
    sources: {
      interfaces: () => world.interfaces,
      wallNow: () => world.wall,
      monotonicNow: () => world.mono,
    },
    intervalMs: 60_000,
  });
  watch.start();
  const pass = (ms: number, asleepMs = 0) => {
    world.mono += ms;
    world.wall += ms + asleepMs;
    watch.check();
  };
  return { world, reasons, watch, pass };
}

describe("NetworkChangeWatch", () => {
  it("says nothing while the network stays as it was", () => {
    const { reasons, pass, watch } = watched({ lo: [address("127.0.0.1", true)], eth0: [] });
    for (let look = 0; look < 5; look += 1) pass(5_000);
    watch.stop();
    expect(reasons).toEqual([]);
  });

  it("tells when an interface gains or loses an address, once per change", () => {
    const { world, reasons, pass, watch } = watched({ wlan0: [] });
    world.interfaces = { wlan0: [address("192.168.1.23")] };
    pass(5_000);
    pass(5_000);
    world.interfaces = { wlan0: [], tun0: [address("10.8.0.2")] };
    pass(5_000);
    watch.stop();
    expect(reasons).toEqual(["the network interfaces changed", "the network interfaces changed"]);
  });

  it("ignores loopback addresses and the order interfaces are listed in", () => {
    const { world, reasons, pass, watch } = watched({
      eth0: [address("192.168.1.5")],
      wlan0: [address("192.168.1.6")],
    });
    world.interfaces = {
      wlan0: [address("192.168.1.6")],
      lo: [address("127.0.0.1", true)],
      eth0: [address("192.168.1.5")],
    };
    pass(5_000);
    watch.stop();
    expect(reasons).toEqual([]);
  });

  it("tells when the machine woke from sleep, not when a look is merely late", () => {
    const { reasons, pass, watch } = watched({ eth0: [address("192.168.1.5")] });
    pass(9_000, 9_000); // a clock adjustment of 9 s: not a sleep
    pass(5_000, 3_600_000); // an hour that the monotonic clock did not see
    watch.stop();
    expect(reasons).toEqual(["the machine woke after 3600 s asleep"]);
  });
});
