import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";

/**
 * Wraps a storage adapter to count what automerge-repo writes through it, so the benchmark can
 * report write volume (what an SSD sees) besides what is left on disk, and to tell when the
 * repo's storage has gone quiet.
 */
export class CountingStorageAdapter implements StorageAdapterInterface {
  /** Payload bytes passed to `save` so far. */
  bytesSaved = 0;
  /** Calls to `save` so far. */
  saves = 0;
  /** Payload bytes by chunk type (`snapshot`, `incremental`, `sync-state`, other keys by name). */
  readonly bytesSavedByType: Record<string, number> = {};
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(readonly inner: StorageAdapterInterface) {}

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#track(this.inner.load(key));
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    this.bytesSaved += data.length;
    this.saves += 1;
    // Document keys are `[documentId, type, hash]`; the repo's own keys have one part.
    const type = key[1] ?? key[0] ?? "";
    this.bytesSavedByType[type] = (this.bytesSavedByType[type] ?? 0) + data.length;
    return this.#track(this.inner.save(key, data));
  }

  remove(key: StorageKey): Promise<void> {
    return this.#track(this.inner.remove(key));
  }

  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.#track(this.inner.loadRange(keyPrefix));
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#track(this.inner.removeRange(keyPrefix));
  }

  /**
   * Resolves once no call is running. Re-checks after each wait because a compaction chains its
   * calls (save the snapshot, then remove the old chunks) as each one resolves.
   */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(operation: Promise<T>): Promise<T> {
    this.#inFlight.add(operation);
    const forget = () => this.#inFlight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }
}

/** Total size of the regular files under `dir`, i.e. what the adapter really keeps on disk. */
export async function bytesOnDisk(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
    files += 1;
  }
  return { bytes, files };
}
