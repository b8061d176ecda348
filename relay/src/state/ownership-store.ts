import { join } from "node:path";
import type { DeviceId, Logger } from "@outpost/shared-model";
import { isDeviceId } from "@outpost/shared-model";
import type { EntryParser } from "./journal.js";
import { Journal } from "./journal.js";

interface OwnershipEntry {
  op: "owned";
  at: number;
  documentId: string;
  deviceId: DeviceId;
}

const parseOwnershipEntry: EntryParser<OwnershipEntry> = (raw) => {
  const entry = raw as Partial<OwnershipEntry> | null;
  if (
    entry?.op === "owned" &&
    typeof entry.documentId === "string" &&
    typeof entry.at === "number" &&
    isDeviceId(entry.deviceId)
  ) {
    return { ok: true, entry: entry as OwnershipEntry };
  }
  return { ok: false, why: "expected {op: owned, at, documentId, deviceId}" };
};

/** What {@link OwnershipStore.claim} found. */
export type ClaimResult = "claimed" | "already-owned" | "owned-by-another" | "limit-reached";

/**
 * Which device owns which document (DESIGN §5): the first device to sync a document ID nobody
 * owns becomes its owner, for good. Kept in memory (it is consulted on every sync message) and
 * in `ownership.jsonl`, where a claim is fsynced before it counts.
 */
export class OwnershipStore {
  readonly #owners = new Map<string, DeviceId>();
  readonly #countByDevice = new Map<DeviceId, number>();
  // Concurrent first messages for one document must not both claim it.
  readonly #claiming = new Map<string, Promise<ClaimResult>>();
  #journal: Journal<OwnershipEntry> | undefined;

  /** Opens the store of the data folder `dataDirectory`. */
  static async open(dataDirectory: string, logger: Logger): Promise<OwnershipStore> {
    const store = new OwnershipStore();
    store.#journal = await Journal.open(
      join(dataDirectory, "ownership.jsonl"),
      parseOwnershipEntry,
      (entry) => store.#apply(entry),
      logger,
    );
    return store;
  }

  /** The device that owns `documentId`, if any. */
  ownerOf(documentId: string): DeviceId | undefined {
    return this.#owners.get(documentId);
  }

  /** How many documents have an owner. */
  get size(): number {
    return this.#owners.size;
  }

  /** How many documents `deviceId` owns. */
  countOwnedBy(deviceId: DeviceId): number {
    return this.#countByDevice.get(deviceId) ?? 0;
  }

  /** Makes `deviceId` the owner of `documentId` unless someone owns it or the device is at `limit`. */
  claim(documentId: string, deviceId: DeviceId, limit: number): Promise<ClaimResult> {
    const inFlight = this.#claiming.get(documentId);
    if (inFlight !== undefined) {
      return inFlight.then(() =>
        this.ownerOf(documentId) === deviceId ? "already-owned" : "owned-by-another",
      );
    }
    const claim = this.#claim(documentId, deviceId, limit).finally(() =>
      this.#claiming.delete(documentId),
    );
    this.#claiming.set(documentId, claim);
    return claim;
  }

  async #claim(documentId: string, deviceId: DeviceId, limit: number): Promise<ClaimResult> {
    const owner = this.ownerOf(documentId);
    if (owner === deviceId) return "already-owned";
    if (owner !== undefined) return "owned-by-another";
    if (this.countOwnedBy(deviceId) >= limit) return "limit-reached";
    if (this.#journal === undefined) throw new Error("ownership store is not open");
    await this.#journal.append({ op: "owned", at: Date.now(), documentId, deviceId });
    return "claimed";
  }

  #apply(entry: OwnershipEntry): void {
    if (this.#owners.has(entry.documentId)) return; // first claim wins, for good
    this.#owners.set(entry.documentId, entry.deviceId);
    this.#countByDevice.set(entry.deviceId, this.countOwnedBy(entry.deviceId) + 1);
  }
}
