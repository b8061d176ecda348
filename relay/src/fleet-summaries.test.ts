/**
 * The relay keeps the fleet's summary shards (ARCHITECTURE.md, "Fleet summaries"): a real relay on
 * loopback, devices and admins as real automerge-repo clients over websockets.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import * as A from "@automerge/automerge";
import { type AutomergeUrl, type DocHandle, Repo } from "@automerge/automerge-repo";
import {
  type DeviceDoc,
  type DeviceId,
  type DeviceSummary,
  type FleetDoc,
  type FleetSummaryDoc,
  type FleetSummaryIndex,
  type Stored,
  sameSummary,
  shardOf,
  silentLogger,
  summarizeDevice,
  summaryIndexOf,
  toPlain,
} from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import { eventually } from "@outpost/shared-model/testing";
import { afterEach, describe, expect, it } from "vitest";
import { connectedTo, enrollDevice } from "./testing/clients.js";
import type { TestRelay } from "./testing/relay-fixture.js";
import { startTestRelay } from "./testing/relay-fixture.js";
import { rejectionCount } from "./testing/relay-http.js";

const fixtures: TestRelay[] = [];
afterEach(async () => {
  for (const fixture of fixtures.splice(0)) await fixture.close();
});

async function started(options: { dataDirectory?: string } = {}): Promise<TestRelay> {
  const fixture = await startTestRelay(options);
  fixtures.push(fixture);
  return fixture;
}

/** An admin's view of the shard that holds `deviceId`. */
async function shardOfDevice(
  admin: Repo,
  fleetDocUrl: string,
  deviceId: DeviceId,
): Promise<DocHandle<FleetSummaryDoc>> {
  const fleet = await admin.find<FleetDoc>(fleetDocUrl as AutomergeUrl);
  await eventually(() => fleet.doc().summaries !== undefined, "the FleetDoc listing its shards");
  const index = summaryIndexOf(fleet.doc()) as FleetSummaryIndex;
  const url = index.shards[shardOf(deviceId, index.shardCount)] as AutomergeUrl;
  return admin.find<FleetSummaryDoc>(url);
}

/** Waits until the admin's copy of the shard shows `expected` for the device. */
async function entryShows(
  shard: DocHandle<FleetSummaryDoc>,
  deviceId: DeviceId,
  expected: DeviceSummary,
  what: string,
): Promise<void> {
  await eventually(() => {
    const entry = shard.doc().devices[deviceId];
    return entry !== undefined && sameSummary(toPlain<DeviceSummary>(entry), expected);
  }, what);
}

describe("fleet summaries on the relay", () => {
  it("summarizes each DeviceDoc into its shard, and writes only when what it shows changes", async () => {
    const fixture = await started();
    const { relay } = fixture;
    const device = await enrollDevice(relay, "laptop-a");
    const admin = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    await connectedTo(admin, relay.peerId);
    const shard = await shardOfDevice(admin, relay.fleetDocUrl, device.deviceId);

    device.deviceDoc.change((doc) => {
      doc.asset.location = "Berlin";
    });
    await entryShows(
      shard,
      device.deviceId,
      summarizeDevice(device.deviceDoc.doc()),
      "the device's summary",
    );
    const entry = toPlain<DeviceSummary>(
      shard.doc().devices[device.deviceId] as Stored<DeviceSummary>,
    );
    expect(entry.location).toBe("Berlin");
    expect(entry.heads).toEqual(A.getHeads(device.deviceDoc.doc()));
    const changesBefore = A.getHistory(shard.doc()).length;

    // A policy edit is not in the fleet view: the shard is not written for it.
    device.deviceDoc.change((doc) => {
      doc.policy.retainDays = { value: 3, setBy: "admin:alice", setAt: 1 };
    });
    await eventually(async () => {
      await relay.summariesSettled();
      const onRelay = await admin.find<DeviceDoc>(device.deviceDoc.url);
      return onRelay.doc().policy.retainDays?.value === 3;
    }, "the policy edit on the relay");
    await relay.summariesSettled();
    device.deviceDoc.change((doc) => {
      doc.asset.assignee = "Alice Martin";
    });
    await entryShows(
      shard,
      device.deviceId,
      summarizeDevice(device.deviceDoc.doc()),
      "the new assignee",
    );
    expect(A.getHistory(shard.doc()).length).toBe(changesBefore + 1);
    await device.repo.shutdown();
  });

  it("lets admins read the shards and refuses them to devices, and their changes to everyone", async () => {
    const fixture = await started();
    const { relay } = fixture;
    const device = await enrollDevice(relay, "laptop-b");
    const admin = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    await connectedTo(admin, relay.peerId);
    const shard = await shardOfDevice(admin, relay.fleetDocUrl, device.deviceId);
    await entryShows(shard, device.deviceId, summarizeDevice(device.deviceDoc.doc()), "summary");

    await expect(device.repo.find(shard.url)).rejects.toThrow(/unavailable/);
    shard.change((doc) => {
      const entry = doc.devices[device.deviceId];
      if (entry) entry.pendingCommands = 99;
    });
    await eventually(
      async () => (await rejectionCount(relay.url, "summary-write")) >= 1,
      "the relay refusing the admin's change",
    );
    const other = fixture.connect({ kind: "admin", name: "alice" }, fixture.adminToken);
    await connectedTo(other, relay.peerId);
    const fresh = await other.find<FleetSummaryDoc>(shard.url);
    expect(fresh.doc().devices[device.deviceId]?.pendingCommands).toBe(0);
    await device.repo.shutdown();
  });

  it("summarizes every DeviceDoc again after a stop that was not clean", async () => {
    const first = await started();
    const { dataDirectory, adminToken } = first;
    const device = await enrollDevice(first.relay, "laptop-c");
    const admin = first.connect({ kind: "admin", name: "alice" }, adminToken);
    await connectedTo(admin, first.relay.peerId);
    const shard = await shardOfDevice(admin, first.relay.fleetDocUrl, device.deviceId);
    await entryShows(shard, device.deviceId, summarizeDevice(device.deviceDoc.doc()), "summary");
    await device.repo.shutdown();
    fixtures.splice(0);
    await first.close({ keepData: true });

    // A change that reached the relay's disk while its summary was still queued, then a crash:
    // written here straight into the stopped relay's storage, and no clean-stop marker.
    const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
      logger: silentLogger,
    });
    const offline = new Repo({ storage, network: [] });
    const stored = await offline.find<DeviceDoc>(device.deviceDoc.url);
    stored.change((doc) => {
      doc.asset.assignee = "written before the crash";
    });
    const expected = summarizeDevice(stored.doc());
    await offline.flush();
    await offline.shutdown();
    await storage.whenIdle();
    await rm(join(dataDirectory, "summaries-clean"));

    const second = await started({ dataDirectory });
    await second.relay.summariesSettled();
    const reader = second.connect({ kind: "admin", name: "alice" }, adminToken);
    await connectedTo(reader, second.relay.peerId);
    const after = await shardOfDevice(reader, second.relay.fleetDocUrl, device.deviceId);
    await entryShows(after, device.deviceId, expected, "the summary of the stored DeviceDoc");
    // Loaded for the summary only, and let go again.
    expect(second.relay.loadedDocumentIds()).not.toContain(stored.documentId);
  });
});
