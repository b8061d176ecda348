import type { Doc } from "@automerge/automerge";
import { free } from "@automerge/automerge";
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import { type LiveSaves, saveLiveDocumentsOnly } from "./live-saves-only.js";
import { type PendingPeerSyncs, watchPendingPeerSyncs } from "./pending-peer-syncs.js";

/**
 * Keeps memory bounded by unloading documents nobody has touched for `idleMs`.
 *
 * automerge-repo 2.5's `removeFromCache` unloads the handle, which swaps in an empty document and
 * fires `heads-changed`; the repo's throttled save listener then writes that empty document, and
 * a compaction can delete the real chunks. So: flush first, give up if the document was touched
 * meanwhile, detach the save listener, and only then remove it. A later message reloads the
 * document from storage. The unloaded document is freed at once, and saves the repo scheduled
 * before the unload are kept from writing (or reading) it by saveLiveDocumentsOnly. A document
 * changed (or loaded) within the last 100 ms is first given the sync with peers that change
 * scheduled (see watchPendingPeerSyncs).
 */
export class IdleUnloader {
  readonly #repo: Repo;
  readonly #idleMs: number;
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #lastTouched = new Map<DocumentId, number>();
  readonly #pinned = new Set<DocumentId>();
  readonly #unloadedListeners = new Set<(documentId: DocumentId) => void>();
  readonly #saves: LiveSaves;
  readonly #peerSyncs: PendingPeerSyncs;
  /** Documents being unloaded: the idle sweep and the load budget may pick the same one. */
  readonly #unloading = new Set<DocumentId>();
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> = Promise.resolve();

  constructor(repo: Repo, options: { idleMs: number; logger: Logger; metrics: RelayMetrics }) {
    this.#repo = repo;
    // Unloading frees documents that saves the repo scheduled earlier still hold.
    this.#saves = saveLiveDocumentsOnly(repo);
    this.#peerSyncs = watchPendingPeerSyncs(repo);
    this.#idleMs = options.idleMs;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  /** Never unloads `documentId` (the fleet document, which the relay itself writes). */
  pin(documentId: DocumentId): void {
    this.#pinned.add(documentId);
  }

  /** Records activity on a document. */
  touch(documentId: DocumentId): void {
    this.#lastTouched.set(documentId, performance.now());
  }

  /** When `documentId` last saw activity (0 if never). */
  lastTouched(documentId: DocumentId): number {
    return this.#lastTouched.get(documentId) ?? 0;
  }

  /** True for documents that are never unloaded. */
  isPinned(documentId: DocumentId): boolean {
    return this.#pinned.has(documentId);
  }

  /** Calls `listener` whenever a document leaves memory. */
  onUnloaded(listener: (documentId: DocumentId) => void): void {
    this.#unloadedListeners.add(listener);
  }

  /**
   * Unloads one document now, however recently it was used (the load budget needs its slot):
   * a ready one safely (see {@link unload}), one nobody had by dropping its handle.
   */
  async evict(documentId: DocumentId): Promise<boolean> {
    const handle = this.#repo.handles[documentId] as DocHandle<unknown> | undefined;
    if (handle === undefined || this.#pinned.has(documentId)) return false;
    if (handle.isReady()) return this.unload(documentId, handle, this.lastTouched(documentId));
    if (!handle.inState(["unavailable"])) return false;
    this.#forget(documentId);
    return true;
  }

  /** Sweeps every `intervalMs` until {@link stop}. */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => {
      this.#sweeping = this.#sweeping
        .then(async () => {
          await this.sweep();
        })
        .catch((error: unknown) =>
          this.#logger.error({ err: error }, "sweeping idle documents failed"),
        );
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops sweeping and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }

  /** Unloads every loaded document idle for longer than `idleMs`; returns how many. */
  async sweep(): Promise<number> {
    const now = performance.now();
    let unloaded = 0;
    for (const [documentId, handle] of Object.entries(this.#repo.handles) as [
      DocumentId,
      DocHandle<unknown>,
    ][]) {
      if (this.#pinned.has(documentId)) continue;
      const touched = this.#lastTouched.get(documentId) ?? 0;
      if (now - touched < this.#idleMs) continue;
      if (handle.isReady()) {
        if (await this.unload(documentId, handle, touched)) unloaded += 1;
      } else if (handle.inState(["unavailable"])) {
        this.#forget(documentId);
        unloaded += 1;
      }
    }
    this.#metrics.documentsLoaded.set(Object.keys(this.#repo.handles).length);
    return unloaded;
  }

  /**
   * Drops the handle of a document nobody had (someone asked for an ID no peer holds), so such
   * requests do not pile up in memory. `removeFromCache` throws on these (it reads `doc()`), and
   * `delete` would remove storage in the background; automerge-repo 2.5's `handles` getter is the
   * live cache, so the entry is dropped there and the document's synchronizer removed. Nothing is
   * on disk to lose; a later message about the ID starts afresh. A test guards this.
   */
  #forget(documentId: DocumentId): void {
    const cache = this.#repo.handles as Record<DocumentId, DocHandle<unknown>>;
    cache[documentId]?.removeAllListeners();
    delete cache[documentId];
    this.#repo.synchronizer.removeDocument(documentId);
    this.#lastTouched.delete(documentId);
    for (const listener of this.#unloadedListeners) listener(documentId);
  }

  /**
   * Safely unloads one document, unless it is touched while flushing or already being unloaded.
   */
  async unload(
    documentId: DocumentId,
    handle: DocHandle<unknown>,
    touchedBefore: number,
  ): Promise<boolean> {
    if (this.#unloading.has(documentId)) return false;
    this.#unloading.add(documentId);
    try {
      return await this.#unloadOnce(documentId, handle, touchedBefore);
    } finally {
      this.#unloading.delete(documentId);
    }
  }

  async #unloadOnce(
    documentId: DocumentId,
    handle: DocHandle<unknown>,
    touchedBefore: number,
  ): Promise<boolean> {
    await this.#peerSyncs.settled(handle);
    try {
      await this.#repo.flush([documentId]);
    } catch (error) {
      this.#logger.error(
        { err: error, documentId },
        `flushing idle ${documentId} failed; kept in memory`,
      );
      return false;
    }
    const touched = (this.#lastTouched.get(documentId) ?? 0) !== touchedBefore;
    if (touched || !handle.isReady() || this.#repo.handles[documentId] !== handle) return false;
    // The workaround: without the repo's save listener, the empty stand-in is never written.
    handle.removeAllListeners("heads-changed");
    const loaded = handle.doc() as Doc<unknown>;
    await this.#repo.removeFromCache(documentId);
    // automerge-repo leaves the document to the garbage collector, which runs on JavaScript heap
    // pressure: the relay's heap stays small while Automerge's grows by megabytes per document
    // and is not given back, and at 4 GiB the process dies. So it is freed here, once no save
    // still reads it; later saves of it are skipped unread (saveLiveDocumentsOnly).
    await this.#saves.whenSaved(documentId);
    free(loaded);
    this.#lastTouched.delete(documentId);
    for (const listener of this.#unloadedListeners) listener(documentId);
    this.#metrics.documentsUnloaded.inc();
    this.#logger.debug({ documentId }, `unloaded idle document ${documentId}`);
    return true;
  }
}
