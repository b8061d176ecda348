import type { DevicesClient } from "../enrollment/devices-client.js";

/** The purge an operator runs on the relay's machine for a removed device (relay stopped). */
export function purgeCommand(deviceId: string): string {
  return `outpost-relay device purge ${deviceId}`;
}

/**
 * What the device page asks the relay about the device itself: cutting it off. Unlike the
 * page's document writes (device-actions.ts), these are HTTP calls that need the relay now, and
 * each resolves to what happened in the admin's words, or rejects with the relay's refusal.
 */
export interface DeviceAccessActions {
  /** Closes the device's connections and refuses its token; it stays in the fleet, revoked. */
  revoke(deviceId: string): Promise<string>;
  /** Revokes the device and drops it from the fleet; its documents stay on the relay's disk. */
  remove(deviceId: string): Promise<string>;
}

/** {@link DeviceAccessActions} over `client`. */
export function makeDeviceAccessActions(
  client: Pick<DevicesClient, "revoke" | "remove">,
): DeviceAccessActions {
  return {
    async revoke(deviceId) {
      const device = await client.revoke(deviceId);
      return `Revoked ${device.deviceId}: the relay closed its connections and refuses its token. It stays in the fleet, marked revoked; it comes back only with an enrollment token made for it or an approved re-enrollment.`;
    },
    async remove(deviceId) {
      const device = await client.remove(deviceId);
      return `Removed ${device.deviceId} from the fleet. Its ${device.ownedDocuments} document(s) stay on the relay's disk until an operator runs "${purgeCommand(device.deviceId)}" with the relay stopped.`;
    },
  };
}
