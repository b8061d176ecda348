import { join } from "node:path";
import type { DeviceId, Logger } from "@outpost/shared-model";
import { CrashSafeFileStorageAdapter, lockDataFolder } from "@outpost/shared-model/storage";
import { OwnershipStore } from "./ownership-store.js";
import { PrincipalStore } from "./principal-store.js";

/** A device that cannot be purged (still enrolled, or nothing of it left); says what to do. */
export class DevicePurgeError extends Error {
  override name = "DevicePurgeError";
}

/**
 * Deletes a removed device's documents from a stopped relay's data folder (docs/OPERATIONS.md,
 * "Removing and purging devices"): every document it owns (its DeviceDocs and days of telemetry),
 * chunk files and all, then its ownership lines (`released` in `ownership.jsonl`), then a
 * `device-purged` line, after which its ID is free for a new enrollment with the shared secret.
 * Each step is durable before the next, so an interrupted purge is finished by running it again.
 *
 * Takes the data folder's lock, as the relay does: refused while a relay uses the folder, since a
 * running relay holds loaded documents it would write back.
 *
 * @throws DataFolderBusy while a relay runs on the folder; DevicePurgeError for an enrolled device
 *   or one with nothing to purge.
 */
export async function purgeDevice(
  dataDirectory: string,
  deviceId: DeviceId,
  logger: Logger,
): Promise<{ documents: number }> {
  const release = await lockDataFolder(dataDirectory, {
    lockFile: "relay.pid",
    program: "outpost-relay",
  });
  try {
    const principals = await PrincipalStore.open(dataDirectory, logger);
    const ownership = await OwnershipStore.open(dataDirectory, logger);
    if (principals.device(deviceId) !== undefined) {
      throw new DevicePurgeError(
        `device ${deviceId} is enrolled: remove it first (outpost-relay device remove ${deviceId}), then purge`,
      );
    }
    const removed = principals.removedDevice(deviceId);
    const owned = [...ownership.documentsOf(deviceId)];
    if (removed === undefined && owned.length === 0) {
      throw new DevicePurgeError(`no removed device ${deviceId} with documents left to purge`);
    }
    const storage = await CrashSafeFileStorageAdapter.create(join(dataDirectory, "documents"), {
      logger,
    });
    for (const documentId of owned) {
      await storage.removeRange([documentId]);
      await storage.whenIdle();
      await ownership.release(documentId, deviceId);
    }
    if (removed !== undefined) {
      await principals.recordDeviceChange({
        op: "device-purged",
        at: Date.now(),
        deviceId,
        documents: owned.length,
      });
    }
    return { documents: owned.length };
  } finally {
    await release();
  }
}
