import { join } from "node:path";
import type { DeviceId, Logger } from "@outpost/shared-model";
import { isDeviceId } from "@outpost/shared-model";
import type { EntryParser } from "./journal.js";
import { Journal } from "./journal.js";

/**
 * One line of `ownership.jsonl`: a claim; the release of a claim that never got content (see
 * EmptyClaimSweeper); or a mark that every claim made before `upTo` has been checked for content.
 */
type OwnershipEntry =
  | { op: "owned" | "released"; at: number; documentId: string; deviceId: DeviceId }
  | { op: "checked"; at: number; upTo: number };

const parseOwnershipEntry: EntryParser<OwnershipEntry> = (raw) => {
  const entry = raw as Record<string, unknown> | null;
  if (
    (entry?.op === "owned" || entry?.op === "released") &&
    typeof entry.documentId === "string" &&
    typeof entry.at === "number" &&
    isDeviceId(entry.deviceId)
  ) {
    return { ok: true, entry: entry as OwnershipEntry };
  }
  if (entry?.op === "checked" && typeof entry.at === "number" && typeof entry.upTo === "number") {
    return { ok: true, entry: entry as OwnershipEntry };
  }
  return {
    ok: false,
    why: "expected {op: owned|released, at, documentId, deviceId} or {op: checked, at, upTo}",
  };
};

/** A claim not yet checked for content (see {@link OwnershipStore.unchecked}). */
export interface UncheckedClaim {
  documentId: string;
  deviceId: DeviceId;
  at: number;
}

/** What {@link OwnershipStore.claim} found. */
export type ClaimResult = "claimed" | "already-owned" | "owned-by-another" | "limit-reached";

/**
 * Which device owns which document (ARCHITECTURE.md, "Access"): the first device to send content
 * for a document the relay does not have becomes its owner, for good, unless the content never
 * reached the disk (a claim without content is released, see EmptyClaimSweeper). Kept in memory (it
 * is consulted on every sync message) and in `ownership.jsonl`, where a claim is fsynced before it
 * counts.
 */
export class OwnershipStore {
  readonly #owners = new Map<string, DeviceId>();
  readonly #countByDevice = new Map<DeviceId, number>();
  readonly #documentsByDevice = new Map<DeviceId, Set<string>>();
  readonly #writingByDevice = new Map<DeviceId, number>();
  // Claims since the last `checked` mark, oldest first: the candidates for release.
  #unchecked: UncheckedClaim[] = [];
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
    // Claims of other documents still being written count too: two at once must not both fit.
    const writing = this.#writingByDevice.get(deviceId) ?? 0;
    if (this.countOwnedBy(deviceId) + writing >= limit) return "limit-reached";
    if (this.#journal === undefined) throw new Error("ownership store is not open");
    this.#writingByDevice.set(deviceId, writing + 1);
    try {
      await this.#journal.append({ op: "owned", at: Date.now(), documentId, deviceId });
    } finally {
      const left = (this.#writingByDevice.get(deviceId) ?? 1) - 1;
      if (left > 0) this.#writingByDevice.set(deviceId, left);
      else this.#writingByDevice.delete(deviceId);
    }
    return "claimed";
  }

  /** The documents `deviceId` owns. */
  documentsOf(deviceId: DeviceId): ReadonlySet<string> {
    return this.#documentsByDevice.get(deviceId) ?? new Set();
  }

  /** Claims made since the last {@link markChecked}, oldest first. */
  unchecked(): readonly UncheckedClaim[] {
    return this.#unchecked;
  }

  /** Releases `deviceId`'s claim of `documentId` (it never got content); durable when resolved. */
  async release(documentId: string, deviceId: DeviceId): Promise<void> {
    if (this.ownerOf(documentId) !== deviceId) return;
    if (this.#journal === undefined) throw new Error("ownership store is not open");
    await this.#journal.append({ op: "released", at: Date.now(), documentId, deviceId });
  }

  /** Records that every claim made before `upTo` has been checked, so none is checked again. */
  async markChecked(upTo: number): Promise<void> {
    if (this.#journal === undefined) throw new Error("ownership store is not open");
    await this.#journal.append({ op: "checked", at: Date.now(), upTo });
  }

  #apply(entry: OwnershipEntry): void {
    if (entry.op === "checked") {
      this.#unchecked = this.#unchecked.filter((claim) => claim.at >= entry.upTo);
      return;
    }
    const { documentId, deviceId } = entry;
    if (entry.op === "released") {
      if (this.#owners.get(documentId) !== deviceId) return;
      this.#owners.delete(documentId);
      this.#documentsByDevice.get(deviceId)?.delete(documentId);
      this.#countByDevice.set(deviceId, this.countOwnedBy(deviceId) - 1);
      return;
    }
    if (this.#owners.has(documentId)) return; // first claim wins, for good
    this.#owners.set(documentId, deviceId);
    this.#countByDevice.set(deviceId, this.countOwnedBy(deviceId) + 1);
    let documents = this.#documentsByDevice.get(deviceId);
    if (documents === undefined) {
      documents = new Set();
      this.#documentsByDevice.set(deviceId, documents);
    }
    documents.add(documentId);
    this.#unchecked.push({ documentId, deviceId, at: entry.at });
  }
}
