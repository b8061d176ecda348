import type { DocHandle, Repo } from "@automerge/automerge-repo/slim";
import {
  createDeviceDoc,
  createFleetDoc,
  createFleetSummaryDoc,
  type DeviceId,
  type FleetDoc,
  type FleetSummaryDoc,
  summarizeDevice,
  toStored,
  writeSummary,
} from "@outpost/shared-model";

/**
 * Writes, into `repo`, what an earlier visit leaves in a browser's replica: a FleetDoc listing
 * `deviceIds`, one DeviceDoc each (its assignee "assignee of <ID>"), and one summary shard with
 * their summaries, listed in the FleetDoc. Written as the relay writes them (strings as
 * `ImmutableString` scalars). Flushed on return.
 */
export async function storeFleetWithOneShard(
  repo: Repo,
  deviceIds: readonly DeviceId[],
  enrolledAt: number,
): Promise<{ fleet: DocHandle<FleetDoc>; shard: DocHandle<FleetSummaryDoc> }> {
  const shard = repo.create<FleetSummaryDoc>(createFleetSummaryDoc(0, 1));
  const fleet = repo.create<FleetDoc>(createFleetDoc());
  for (const deviceId of deviceIds) {
    const device = repo.create(createDeviceDoc(deviceId));
    device.change((doc) => {
      doc.asset.assignee = `assignee of ${deviceId}`;
    });
    shard.change((doc) => void writeSummary(doc, deviceId, summarizeDevice(device.doc())));
    fleet.change((doc) => {
      doc.devices[deviceId] = toStored({
        deviceDocUrl: device.url,
        hostname: deviceId,
        enrolledAt,
      });
    });
  }
  fleet.change((doc) => {
    doc.summaries = toStored({ shardCount: 1, shards: [shard.url] });
  });
  await repo.flush();
  return { fleet, shard };
}
