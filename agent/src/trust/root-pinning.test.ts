/**
 * Where the agent's root comes from: the credentials, the enrollment answer, or once, for a device
 * enrolled before there was a root, the relay's session, each checked against the config's
 * `root_key_fingerprint`. The relay here is a loopback stand-in answering `GET /v1/session` as a
 * relay that names a root does (the relay's own session carries one once its trust work lands).
 */
import { createServer, type Server } from "node:http";
import type { FleetTrust } from "@outpost/shared-model";
import {
  cleanupAfterEach,
  eventually,
  LEVEL,
  recordingLogger,
  testRoot,
} from "@outpost/shared-model/testing";
import { describe, expect, it } from "vitest";
import {
  type DeviceCredentials,
  loadCredentials,
  saveCredentials,
} from "../enrollment/credentials.js";
import { checkFleetTrust, RootKeyRefused } from "../enrollment/fleet-trust.js";
import { RelayLink } from "../sync/relay-link.js";
import { type MemoryDevice, memoryDevice } from "../testing/memory-device.js";
import { AgentTrust } from "./agent-trust.js";
import { RootPinning } from "./root-pinning.js";

const cleanup = cleanupAfterEach();

async function fleetTrust(): Promise<FleetTrust> {
  const root = await testRoot();
  return {
    rootPublicKey: root.publicKey,
    fleet: root.fleet,
    trustDocUrl: "automerge:2j9knpCseyhnK8izDmLpGP5WMdZQ",
  };
}

/**
 * A loopback relay stand-in: its session answers `session()` to the right token, and its
 * enrollment gives that token with `enrollment` (a root, or none) in the answer.
 */
async function sessionRelay(
  session: () => object,
  enrollment: { trust?: FleetTrust } = {},
): Promise<{ url: string; asked: () => number }> {
  let asked = 0;
  const server: Server = createServer((request, response) => {
    response.setHeader("content-type", "application/json");
    if (request.url === "/v1/enroll") {
      request.resume();
      const answer = { deviceToken: "opd_device-token", relayPeerId: "relay-peer", rotated: false };
      response.end(JSON.stringify({ ...answer, ...enrollment }));
      return;
    }
    asked += 1;
    const authorized = request.headers.authorization === "Bearer opd_device-token";
    response.statusCode = authorized ? 200 : 401;
    response.end(JSON.stringify(authorized ? session() : { error: "invalid or revoked token" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, asked: () => asked };
}

/** The trust of the device `memory` and where its root comes from, with what they log. */
function pinningOf(memory: MemoryDevice, relayUrl: string, rootKeyFingerprint?: string) {
  const { logger, at } = recordingLogger();
  const trust = new AgentTrust({ store: memory.store, repo: memory.repo, logger });
  cleanup.defer(() => trust.stop());
  const pinning = new RootPinning({
    trust,
    dataDirectory: memory.folder,
    relayUrl,
    rootKeyFingerprint,
    logger,
  });
  return { trust, pinning, logger, at };
}

async function setUp(relayUrl: string, rootKeyFingerprint?: string) {
  const memory = await memoryDevice(cleanup, "root-pinning");
  const { trust, pinning, at } = pinningOf(memory, relayUrl, rootKeyFingerprint);
  const credentials: DeviceCredentials = {
    deviceId: memory.deviceId,
    deviceToken: "opd_device-token",
    relayPeerId: "relay-peer",
    relayUrl,
    enrolledAt: new Date(0).toISOString(),
  };
  await saveCredentials(memory.folder, credentials);
  const connect = async () => {
    pinning.connected(await loadCredentials(memory.folder));
    await pinning.idle();
  };
  return { memory, trust, pinning, credentials, connect, at };
}

describe("RootPinning", () => {
  it("trusts on first use the root a relay's session names to a device enrolled before, for good", async () => {
    const named = await fleetTrust();
    let answer: FleetTrust = named;
    const relay = await sessionRelay(() => ({ principal: "device:laptop-1", trust: answer }));
    const { memory, trust, connect, at } = await setUp(relay.url, named.fleet);
    await connect();
    expect(trust.pinnedFleet).toBe(named.fleet);
    expect((await loadCredentials(memory.folder))?.trust).toEqual(named);
    expect(at(LEVEL.info).map((line) => line.msg)).toContainEqual(
      expect.stringContaining("(trusted on first use: this device was enrolled before it pinned"),
    );
    // Pinned: the session is not asked again, and another root later changes nothing.
    answer = await fleetTrust();
    await connect();
    expect(relay.asked()).toBe(1);
    const restarted = await setUpAgain(memory);
    expect(restarted.pinnedFleet).toBe(named.fleet);
  });

  it("refuses everything, with one error, when the relay names no root", async () => {
    const relay = await sessionRelay(() => ({ principal: "device:laptop-1" }));
    const { trust, connect, at } = await setUp(relay.url);
    await connect();
    expect(trust.status).toEqual({
      kind: "absent",
      reason: `the relay at ${relay.url} named no root key, at enrollment nor in its session`,
    });
    expect(at(LEVEL.error)).toHaveLength(1);
    expect(at(LEVEL.error)[0]?.msg).toContain("this agent has no root key pinned");
  });

  it("refuses a root other than the one the config pins", async () => {
    const pinnedByConfig = (await fleetTrust()).fleet;
    const other = await fleetTrust();
    const stub = await sessionRelay(() => ({ trust: other }));
    const { trust, connect, memory } = await setUp(stub.url, pinnedByConfig);
    await connect();
    expect(trust.status).toMatchObject({
      kind: "absent",
      reason: expect.stringContaining(
        `names the root key ${other.fleet}, but root_key_fingerprint in the agent config pins ${pinnedByConfig}`,
      ),
    });
    expect((await loadCredentials(memory.folder))?.trust).toBeUndefined();
  });

  it("waits, and asks again at the next connection, while the session cannot be had", async () => {
    const named = await fleetTrust();
    let up = false;
    const relay = await sessionRelay(() => (up ? { trust: named } : {}));
    const { trust, connect, credentials, pinning, at } = await setUp(relay.url);
    // A refused token is no answer about the root: still awaiting, asked again next time.
    pinning.connected({ ...credentials, deviceToken: "opd_revoked" });
    await pinning.idle();
    expect(trust.status).toEqual({ kind: "awaiting" });
    expect(at(LEVEL.warn).map((line) => line.msg)).toEqual([
      expect.stringContaining("HTTP 401: invalid or revoked token"),
    ]);
    up = true;
    await connect();
    expect(trust.pinnedFleet).toBe(named.fleet);
  });
});

describe("enrollment with a root", () => {
  async function enroll(named: FleetTrust, rootKeyFingerprint: string | undefined) {
    const relay = await sessionRelay(() => ({}), { trust: named });
    const memory = await memoryDevice(cleanup, "root-pinning-enroll");
    const { trust, pinning, logger, at } = pinningOf(memory, relay.url, rootKeyFingerprint);
    const link = new RelayLink({
      repo: memory.repo,
      relayUrl: relay.url,
      enrollmentSecret: "the fleet's secret",
      dataDirectory: memory.folder,
      device: { deviceId: memory.deviceId, hostname: "laptop-1", deviceDocUrl: memory.device.url },
      logger,
      backoff: { baseMs: 20, capMs: 100, outageShare: 0.25, random: () => 0.99 },
      pinning,
    });
    cleanup.defer(() => link.stop());
    link.start();
    return { trust, memory, at };
  }

  it("keeps the root the answer names with the credentials, and pins it", async () => {
    const named = await fleetTrust();
    const { trust, memory } = await enroll(named, named.fleet);
    await eventually(() => trust.pinnedFleet === named.fleet, "the root pinned");
    expect((await loadCredentials(memory.folder))?.trust).toEqual(named);
  });

  it("refuses an answer naming another root than the config pins, and saves nothing", async () => {
    const named = await fleetTrust();
    const configured = (await fleetTrust()).fleet;
    const { trust, memory, at } = await enroll(named, configured);
    await eventually(() => at(LEVEL.error).length > 0, "the refusal");
    expect(at(LEVEL.error)[0]?.msg).toContain(
      `names the root key ${named.fleet}, but root_key_fingerprint in the agent config pins ${configured}: refusing it`,
    );
    expect(await loadCredentials(memory.folder)).toBeUndefined();
    expect(trust.status).toEqual({ kind: "awaiting" });
  });
});

describe("checkFleetTrust", () => {
  it("refuses a root that does not match the fleet it is named by, or that the config does not pin", async () => {
    const trust = await fleetTrust();
    const other = await fleetTrust();
    const from = "the enrollment answer of http://relay";
    expect(await checkFleetTrust(trust, undefined, from)).toEqual(trust);
    expect(await checkFleetTrust(trust, trust.fleet, from)).toEqual(trust);
    expect(await checkFleetTrust(undefined, undefined, from)).toBeUndefined();
    await expect(
      checkFleetTrust({ ...trust, fleet: other.fleet }, undefined, from),
    ).rejects.toThrow(
      `${from} names the fleet ${other.fleet} with a root key whose fingerprint is ${trust.fleet}: refusing it`,
    );
    await expect(checkFleetTrust(trust, other.fleet, from)).rejects.toThrow(RootKeyRefused);
    await expect(checkFleetTrust(undefined, other.fleet, from)).rejects.toThrow(
      `${from} names no root key, but root_key_fingerprint in the agent config pins ${other.fleet}`,
    );
  });
});

/** A restarted agent's trust over the same data folder: the root comes from the credentials. */
async function setUpAgain(memory: MemoryDevice): Promise<AgentTrust> {
  const { trust, pinning } = pinningOf(memory, "http://127.0.0.1:9");
  await pinning.resume(undefined);
  return trust;
}
