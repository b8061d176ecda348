/**
 * Test support: a client's storage that the test can close before it removes the folder.
 */
import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo";
import type { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";

/**
 * Wraps a client repo's storage so that, once {@link close} resolves, nothing touches its folder.
 *
 * automerge-repo 2.5's `Repo.shutdown()` flushes documents but neither cancels nor awaits the saves
 * its throttle has scheduled (documents and sync states, `saveDebounceRate` after the last change),
 * and nothing reports when they have run. One firing after the test removed the folder would
 * recreate it or reject unhandled. After `close()` every call is a no-op instead: the test is done
 * with what the client stores.
 */
export class ClosableStorage implements StorageAdapterInterface {
  readonly #inner: CrashSafeFileStorageAdapter;
  #closed = false;

  constructor(inner: CrashSafeFileStorageAdapter) {
    this.#inner = inner;
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.#closed ? Promise.resolve(undefined) : this.#inner.load(key);
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#inner.save(key, data);
  }

  remove(key: StorageKey): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#inner.remove(key);
  }

  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.#closed ? Promise.resolve([]) : this.#inner.loadRange(keyPrefix);
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#closed ? Promise.resolve() : this.#inner.removeRange(keyPrefix);
  }

  /** Turns every later call into a no-op and resolves once the calls under way have finished. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#inner.whenIdle();
  }
}
