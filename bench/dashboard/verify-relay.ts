import type { AutomergeUrl } from "@automerge/automerge-repo";
import type { Relay } from "@outpost/relay";
import type { DeviceDoc, DeviceId, FleetDoc, TelemetryDayDoc } from "@outpost/shared-model";
import { countSamples, deviceDocUrlOf } from "@outpost/shared-model";
import { Cleanup } from "@outpost/shared-model/testing";
import { adminReplica } from "@outpost/test-support";

/**
 * Checks, as an admin replica over the websocket, that the relay serves what was seeded: the
 * FleetDoc lists every device, and the telemetry device's DeviceDoc and its newest closed day
 * load with their samples. Returns the samples of that day.
 */
export async function verifyRelay(
  relay: Relay,
  options: { adminToken: string; devices: number; telemetryDeviceId: string },
): Promise<number> {
  const cleanup = new Cleanup();
  try {
    const admin = adminReplica(Number(new URL(relay.url).port), options.adminToken, cleanup);
    const fleet = (await admin.find<FleetDoc>(relay.fleetDocUrl as AutomergeUrl)).doc();
    const listed = Object.keys(fleet.devices).length;
    if (listed !== options.devices) {
      throw new Error(`the relay's FleetDoc lists ${listed} devices, not ${options.devices}`);
    }
    const url = deviceDocUrlOf(fleet, options.telemetryDeviceId as DeviceId);
    if (url === undefined) throw new Error(`${options.telemetryDeviceId} is not in the fleet`);
    const device = (await admin.find<DeviceDoc>(url as AutomergeUrl)).doc();
    const closed = Object.entries(device.telemetry)
      .filter(([, day]) => day.rollup !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .at(-1);
    if (closed === undefined) throw new Error(`${options.telemetryDeviceId} has no closed day`);
    const day = (await admin.find<TelemetryDayDoc>(closed[1].url as AutomergeUrl)).doc();
    const samples = countSamples(day);
    if (samples !== closed[1].samples) {
      throw new Error(`${closed[0]} holds ${samples} samples; its index says ${closed[1].samples}`);
    }
    return samples;
  } finally {
    await cleanup.release({ ignoreFailures: true });
  }
}
