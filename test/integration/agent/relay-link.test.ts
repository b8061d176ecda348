/**
 * The agent's relay link against a real relay on loopback: while the relay is out of reach and
 * the link waits out a long backoff, to sync or to enroll, a change of the device's network makes
 * it try at once.
 */
import type { NetworkInterfaceInfo } from "node:os";
import type { PeerId } from "@automerge/automerge-repo";
import { Repo } from "@automerge/automerge-repo";
import { RelayLink } from "@outpost/agent";
import { createDeviceDoc, type DeviceDoc, parseDeviceId, peerIdFor } from "@outpost/shared-model";
import { cleanupAfterEach, eventually, recordingLogger } from "@outpost/shared-model/testing";
import { startFleet } from "@outpost/test-support";
import { describe, expect, it } from "vitest";

const cleanup = cleanupAfterEach();

/** Waits of almost a minute, whatever the outage: only the network change can be quicker. */
const MINUTE_WAITS = { baseMs: 60_000, capMs: 60_000, outageShare: 1, random: () => 0.99 };
/** The link's wall clock, stopped, so that the next attempt's time is exact. */
const NOW = Date.UTC(2026, 10, 21, 10, 0, 0);

describe("RelayLink", () => {
  it("tries the relay at once when the network changes instead of waiting out its backoff", {
    timeout: 60_000,
  }, async () => {
    const { fleet, link, network } = await linkWithMinuteWaits();
    let relay = await fleet.startRelay();
    link.start();
    await eventually(() => link.isOnline(), "the first connection");

    // The relay goes away: the next attempt is most of a minute off.
    await relay.stop();
    await eventually(() => link.state?.kind === "offline", "the link noticing");
    expect(link.state).toMatchObject({ kind: "offline", retryAt: NOW + 59_400 });
    relay = await fleet.startRelay();
    // The relay is back, but nothing tells the link so until its network changes (a Wi-Fi joined).
    network.join();
    await eventually(() => link.isOnline(), "reconnecting on the network change", 20_000);
  });

  it("enrolls at once when the network changes while it waits to retry enrolling", {
    timeout: 60_000,
  }, async () => {
    const { fleet, link, network, lines } = await linkWithMinuteWaits();
    link.start(); // the relay is down: enrollment fails and waits most of a minute
    await eventually(
      () => lines.some((line) => line.msg.startsWith("cannot enroll yet")),
      "the failed enrollment",
    );
    await fleet.startRelay();
    network.join();
    await eventually(
      () => link.isOnline(),
      "enrolling and connecting on the network change",
      20_000,
    );
  });
});

/**
 * A link for a fresh device whose relay is down (see prepareFleet), waiting almost a minute
 * between attempts whatever the outage, so that only a network change can be quicker; the test
 * changes the network with `join()` (a Wi-Fi address appears).
 */
async function linkWithMinuteWaits() {
  const fleet = await startFleet(cleanup, { stopped: true });
  const agentData = await cleanup.tempFolder("agent");
  const deviceId = parseDeviceId("laptop-net");
  const repo = new Repo({
    network: [],
    peerId: peerIdFor({ kind: "device", deviceId }, "agent") as PeerId,
  });
  cleanup.defer(() => repo.shutdown());
  const device = repo.create<DeviceDoc>(createDeviceDoc(deviceId));
  let interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = {};
  const { logger, lines } = recordingLogger();
  const link = new RelayLink({
    repo,
    relayUrl: fleet.relayUrl,
    enrollmentSecret: fleet.enrollmentSecret,
    dataDirectory: agentData,
    device: { deviceId, hostname: "laptop-net.example", deviceDocUrl: device.url },
    logger,
    backoff: MINUTE_WAITS,
    now: () => NOW,
    networkWatch: { sources: { interfaces: () => interfaces }, intervalMs: 50 },
  });
  cleanup.defer(() => link.stop());
  const join = () => {
    interfaces = {
      wlan0: [
        {
          address: "192.168.1.23",
          netmask: "255.255.255.0",
          family: "IPv4",
          mac: "02:00:00:00:00:01",
          internal: false,
          cidr: "192.168.1.23/24",
        },
      ],
    };
  };
  return { fleet, link, network: { join }, lines };
}
