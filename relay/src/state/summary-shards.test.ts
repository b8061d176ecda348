import { type AutomergeUrl, Repo } from "@automerge/automerge-repo";
import {
  createDeviceDoc,
  emptySummary,
  type FleetDoc,
  type FleetSummaryDoc,
  type FleetSummaryIndex,
  parseDeviceId,
  shardOf,
  silentLogger,
  summarizeDevice,
  summaryIndexOf,
} from "@outpost/shared-model";
import { describe, expect, it } from "vitest";
import { SummaryShards } from "./summary-shards.js";

/** The FleetDoc as the shards see it, in memory. */
function fleetOf(devices: number): {
  doc(): FleetDoc;
  recordSummaries(i: FleetSummaryIndex): Promise<void>;
} {
  const fleet: FleetDoc = { schema: 1, devices: {} };
  for (let index = 0; index < devices; index += 1) {
    fleet.devices[parseDeviceId(`lt-${index}`)] = {
      deviceDocUrl: "automerge:x",
      hostname: `lt-${index}`,
      enrolledAt: 1,
    };
  }
  return {
    doc: () => fleet,
    recordSummaries: async (index) => {
      fleet.summaries = structuredClone(index);
    },
  };
}

describe("SummaryShards", () => {
  it("splits its shards in two as the fleet grows, each device in its home shard once", async () => {
    const repo = new Repo({ network: [] });
    const fleet = fleetOf(1);
    const shards = await SummaryShards.open(repo, fleet, { logger: silentLogger, writeDelayMs: 1 });
    expect(fleet.doc().summaries?.shards).toHaveLength(1);
    const grown = fleetOf(500);
    (fleet.doc() as { devices: FleetDoc["devices"] }).devices = grown.doc().devices;
    for (const id of Object.keys(grown.doc().devices)) {
      const deviceId = parseDeviceId(id);
      shards.update(deviceId, { ...emptySummary(), hostname: id });
    }
    await shards.flush();
    const index = summaryIndexOf(fleet.doc()) as FleetSummaryIndex;
    expect(index.shardCount).toBe(4);
    expect(index.shards).toHaveLength(4);
    const seen = new Map<string, number>();
    for (const [position, url] of index.shards.entries()) {
      const shard = (await repo.find<FleetSummaryDoc>(url as AutomergeUrl)).doc();
      expect(shard.shardCount).toBe(4);
      for (const deviceId of Object.keys(shard.devices)) {
        expect(shardOf(deviceId, 4)).toBe(position);
        seen.set(deviceId, (seen.get(deviceId) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(500);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    // The split shards are the ones read after a restart.
    const reopened = await SummaryShards.open(repo, fleet, { logger: silentLogger });
    expect(reopened.shardCount).toBe(4);
    expect(reopened.entryOf(parseDeviceId("lt-7"))?.hostname).toBe("lt-7");
    await repo.shutdown();
  });

  it("drops a summary that shows what the shard holds, and removes a device that left", async () => {
    const repo = new Repo({ network: [] });
    const fleet = fleetOf(2);
    const shards = await SummaryShards.open(repo, fleet, { logger: silentLogger, writeDelayMs: 1 });
    const deviceId = parseDeviceId("lt-0");
    const summary = summarizeDevice(createDeviceDoc(deviceId));
    shards.update(deviceId, summary);
    await shards.flush();
    const url = summaryIndexOf(fleet.doc())?.shards[0] as AutomergeUrl;
    const handle = await repo.find<FleetSummaryDoc>(url);
    const heads = handle.heads();
    shards.update(deviceId, { ...summary });
    await shards.flush();
    expect(handle.heads()).toEqual(heads);
    shards.remove(deviceId);
    await shards.flush();
    expect(handle.doc().devices[deviceId]).toBeUndefined();
    await repo.shutdown();
  });
});
