import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";
import type { DeviceId } from "@outpost/shared-model";

/** The storage underneath, with the sizes of what it holds. */
export interface SizedStorage extends StorageAdapterInterface {
  storedBytesUnder(keyPrefix: StorageKey): Promise<number>;
  storedBytesOf(key: StorageKey): Promise<number>;
}

/** Who owns what (the OwnershipStore). */
export interface Owners {
  ownerOf(documentId: string): DeviceId | undefined;
  documentsOf(deviceId: DeviceId): Iterable<string>;
}

/**
 * The relay's storage, counting the bytes each device's documents take on disk (ARCHITECTURE.md,
 * "The relay"), for the per-device quota. A device's total is counted from disk the first time it
 * is asked for after a start (a directory listing per document it owns), then kept current by every
 * save and removal going through here. A save racing with that first count may be counted twice or
 * not at all: the total is exact to within a chunk, which is all a quota needs.
 */
export class StoredBytes implements StorageAdapterInterface {
  readonly #storage: SizedStorage;
  readonly #owners: Owners;
  readonly #totals = new Map<DeviceId, number>();
  readonly #counting = new Map<DeviceId, Promise<number>>();

  readonly #onLoaded: (documentId: string) => void;

  /** `onLoaded` hears of each document whose chunks were read, before Automerge decodes them. */
  constructor(storage: SizedStorage, owners: Owners, onLoaded: (documentId: string) => void) {
    this.#storage = storage;
    this.#owners = owners;
    this.#onLoaded = onLoaded;
  }

  /** Bytes `deviceId`'s documents take on disk. */
  usageOf(deviceId: DeviceId): Promise<number> {
    const total = this.#totals.get(deviceId);
    if (total !== undefined) return Promise.resolve(total);
    let counting = this.#counting.get(deviceId);
    if (counting === undefined) {
      counting = this.#count(deviceId).finally(() => this.#counting.delete(deviceId));
      this.#counting.set(deviceId, counting);
    }
    return counting;
  }

  async #count(deviceId: DeviceId): Promise<number> {
    let total = 0;
    for (const documentId of [...this.#owners.documentsOf(deviceId)])
      total += await this.#storage.storedBytesUnder([documentId]);
    this.#totals.set(deviceId, total);
    return total;
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#storage.load(key);
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const chunks = await this.#storage.loadRange(keyPrefix);
    if (keyPrefix.length === 1 && keyPrefix[0] !== undefined) this.#onLoaded(keyPrefix[0]);
    return chunks;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    const owner = this.#countedOwner(key);
    if (owner === undefined) return this.#storage.save(key, data);
    const before = await this.#storage.storedBytesOf(key);
    await this.#storage.save(key, data);
    this.#add(owner, (await this.#storage.storedBytesOf(key)) - before);
  }

  async remove(key: StorageKey): Promise<void> {
    const owner = this.#countedOwner(key);
    if (owner === undefined) return this.#storage.remove(key);
    const before = await this.#storage.storedBytesOf(key);
    await this.#storage.remove(key);
    this.#add(owner, -before);
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    const owner = this.#countedOwner(keyPrefix);
    if (owner === undefined) return this.#storage.removeRange(keyPrefix);
    const before = await this.#storage.storedBytesUnder(keyPrefix);
    await this.#storage.removeRange(keyPrefix);
    this.#add(owner, -before);
  }

  /** The owner of the key's document, when that owner's total is being kept. */
  #countedOwner(key: StorageKey): DeviceId | undefined {
    const documentId = key[0];
    if (documentId === undefined) return undefined;
    const owner = this.#owners.ownerOf(documentId);
    return owner !== undefined && this.#totals.has(owner) ? owner : undefined;
  }

  #add(deviceId: DeviceId, bytes: number): void {
    const total = this.#totals.get(deviceId);
    if (total !== undefined) this.#totals.set(deviceId, Math.max(0, total + bytes));
  }
}
