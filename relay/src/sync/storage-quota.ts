import type { DeviceId } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { StoredBytes } from "../state/stored-bytes.js";
import type { StorageQuota } from "./access-policy.js";

/**
 * The per-device quota of bytes on the relay's disk: a device at or over it may not add content to
 * its documents (its DeviceDoc excepted, see AccessPolicy); what it has stays, and its agent keeps
 * the refused changes until an operator raises the quota or removes documents.
 */
export class PerDeviceStorageQuota implements StorageQuota {
  readonly #stored: StoredBytes;
  readonly #limitBytes: number;
  readonly #overQuota = new Set<DeviceId>();
  readonly #metrics: RelayMetrics;

  constructor(stored: StoredBytes, limitBytes: number, metrics: RelayMetrics) {
    this.#stored = stored;
    this.#limitBytes = limitBytes;
    this.#metrics = metrics;
  }

  async exceeded(deviceId: DeviceId): Promise<string | undefined> {
    const used = await this.#stored.usageOf(deviceId);
    const over = used >= this.#limitBytes;
    // Known from the devices that sent content since the start; enough to alert on.
    if (over) this.#overQuota.add(deviceId);
    else this.#overQuota.delete(deviceId);
    this.#metrics.devicesOverQuota.set(this.#overQuota.size);
    if (!over) return undefined;
    return `device ${deviceId} stores ${mebibytes(used)} on the relay; its quota (max_stored_bytes_per_device) is ${mebibytes(this.#limitBytes)}`;
  }
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
