import type { DeviceId, Logger } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { FleetDocument } from "./fleet-document.js";
import type { PrincipalStore } from "./principal-store.js";

/**
 * Keeps the FleetDoc in step with revocations and removals in `principals.jsonl`, wherever they
 * were made (the relay's admin HTTP, or its CLI while the relay runs or was stopped): a revoked
 * device is marked `revokedAt`, a removed one is dropped from the device index. Only the relay
 * writes the FleetDoc, so the CLI leaves this to the relay, which catches up at start.
 */
export class FleetDeviceMarks {
  readonly #principals: PrincipalStore;
  readonly #fleet: FleetDocument;
  readonly #logger: Logger;

  private constructor(principals: PrincipalStore, fleet: FleetDocument, logger: Logger) {
    this.#principals = principals;
    this.#fleet = fleet;
    this.#logger = logger;
  }

  /** Brings the FleetDoc up to date with every device, then follows each change as it comes. */
  static async follow(
    principals: PrincipalStore,
    fleet: FleetDocument,
    logger: Logger,
  ): Promise<FleetDeviceMarks> {
    const marks = new FleetDeviceMarks(principals, fleet, logger);
    for (const device of principals.listDevices()) await marks.update(device.deviceId);
    principals.on("device-changed", (deviceId) => {
      marks
        .update(deviceId)
        .catch((error: unknown) =>
          logger.error(
            { err: error, deviceId },
            `marking device ${deviceId} in the fleet document failed: ${messageOf(error)}`,
          ),
        );
    });
    return marks;
  }

  /** Writes what the principals say about `deviceId` into the FleetDoc; nothing if it is there. */
  async update(deviceId: DeviceId): Promise<void> {
    if (this.#principals.removedDevice(deviceId) !== undefined) {
      await this.#fleet.forgetDevice(deviceId);
      this.#logger.debug({ deviceId }, `device ${deviceId} is out of the fleet document`);
      return;
    }
    const revokedAt = this.#principals.device(deviceId)?.revokedAt;
    if (revokedAt !== undefined) await this.#fleet.markRevoked(deviceId, revokedAt);
  }
}
