import type { AutomergeUrl, DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import { parseAutomergeUrl } from "@automerge/automerge-repo";
import {
  type DeviceDoc,
  type DeviceId,
  deviceDocUrlOf,
  FoldCache,
  type Logger,
  summarizeDevice,
} from "@outpost/shared-model";
import type { FleetDocument } from "../state/fleet-document.js";
import type { SummaryShards } from "../state/summary-shards.js";
import type { Admission } from "./access-policy.js";
import type { DocumentPresence } from "./document-presence.js";

/** A DeviceDoc's sync traffic settles this long before it is summarized (a sync is a few messages). */
const SUMMARIZE_DELAY_MS = 200;

/** How the feed loads a DeviceDoc that is not in memory, and lets it go again. */
export interface SummaryLoads {
  admission: Admission;
  documentExists: DocumentPresence;
  /** Unloads a document the feed loaded (flushed first; kept if a peer touched it meanwhile). */
  unload(documentId: DocumentId): Promise<boolean>;
}

/**
 * Keeps the summary shards current (ARCHITECTURE.md, "Fleet summaries"). Every DeviceDoc change
 * reaches the relay as sync traffic, while the document is loaded anyway: the feed summarizes it
 * then ({@link summarizeDevice}, from the loaded document; nothing is kept but the summary and
 * the heads it came from) and hands the summary to the shards, which write it only when it shows
 * something new. A device that leaves the fleet leaves its shard.
 *
 * Devices the shards lack (a relay from before summaries, a start after a crash that may have
 * lost queued writes: `everything`) are summarized in the background, one DeviceDoc at a time,
 * each loaded through the load budget and unloaded again unless a peer is using it.
 */
export class SummaryFeed {
  readonly #repo: Repo;
  readonly #fleet: FleetDocument;
  readonly #shards: SummaryShards;
  readonly #loads: SummaryLoads;
  readonly #logger: Logger;
  readonly #folds = new FoldCache();
  readonly #deviceOf = new Map<DocumentId, DeviceId>();
  /** The DeviceDoc each listed device has, as the FleetDoc says. */
  readonly #knownDocument = new Map<DeviceId, DocumentId>();
  /** Heads each device was last summarized at: the same heads need no new summary. */
  readonly #summarizedAt = new Map<DeviceId, string>();
  readonly #dirty = new Set<DeviceId>();
  readonly #backlog = new Set<DeviceId>();
  #timer: NodeJS.Timeout | undefined;
  #backfilling: Promise<void> | undefined;
  #started = false;
  #stopped = false;
  readonly #unfollow: () => void;

  constructor(options: {
    repo: Repo;
    fleet: FleetDocument;
    shards: SummaryShards;
    loads: SummaryLoads;
    logger: Logger;
  }) {
    this.#repo = options.repo;
    this.#fleet = options.fleet;
    this.#shards = options.shards;
    this.#loads = options.loads;
    this.#logger = options.logger;
    this.#readFleet();
    this.#unfollow = this.#fleet.onChange((deviceIds) => this.#readFleet(deviceIds));
    this.#repo.synchronizer.on("sync-state", this.#onSyncState);
  }

  /**
   * Starts summarizing in the background the devices the shards lack, or every device when
   * `everything` (the last stop was not clean, so queued writes may have been lost).
   */
  start(everything: boolean): void {
    this.#started = true;
    for (const deviceId of this.#deviceOf.values()) {
      if (everything || this.#shards.entryOf(deviceId) === undefined) this.#backlog.add(deviceId);
    }
    if (this.#backlog.size > 0) {
      this.#logger.info(
        { devices: this.#backlog.size },
        `summarizing ${this.#backlog.size} devices in the background`,
      );
    }
    this.#backfill();
  }

  /** Resolves once the background summaries are done (tests and benchmarks). */
  async settled(): Promise<void> {
    while (this.#backfilling !== undefined) await this.#backfilling;
    this.#summarizeDirty();
    await this.#shards.flush();
  }

  /** Stops following changes, lets the summary under way finish and writes what is queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unfollow();
    this.#repo.synchronizer.off("sync-state", this.#onSyncState);
    clearTimeout(this.#timer);
    this.#backlog.clear();
    await this.#backfilling;
    this.#summarizeDirty();
    await this.#shards.close();
  }

  readonly #onSyncState = ({ documentId }: { documentId: DocumentId }) => {
    const deviceId = this.#deviceOf.get(documentId);
    if (deviceId !== undefined) this.#markDirty(deviceId);
  };

  #summarizeDirty(): void {
    const loading: DeviceId[] = [];
    for (const deviceId of this.#dirty) {
      const handle = this.#handleOf(deviceId);
      if (handle?.isReady()) this.#summarize(deviceId, handle.doc());
      // Traffic can come before the document is loaded: summarized once it is.
      else if (handle?.inState(["idle", "loading", "requesting"])) loading.push(deviceId);
    }
    this.#dirty.clear();
    for (const deviceId of loading) this.#markDirty(deviceId);
  }

  #markDirty(deviceId: DeviceId): void {
    if (this.#stopped) return;
    this.#dirty.add(deviceId);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#summarizeDirty();
    }, SUMMARIZE_DELAY_MS);
    this.#timer.unref();
  }

  #summarize(deviceId: DeviceId, doc: DeviceDoc): void {
    const summary = summarizeDevice(doc, this.#folds);
    const heads = summary.heads.join();
    if (this.#summarizedAt.get(deviceId) === heads) return;
    this.#summarizedAt.set(deviceId, heads);
    this.#shards.update(deviceId, summary);
  }

  /** Follows the FleetDoc's devices: all of them, or only `deviceIds` when a change says which. */
  #readFleet(deviceIds?: readonly string[]): void {
    const fleet = this.#fleet.doc();
    for (const id of deviceIds ?? Object.keys(fleet.devices)) {
      const deviceId = id as DeviceId;
      const known = this.#knownDocument.get(deviceId);
      const url = deviceDocUrlOf(fleet, deviceId);
      const documentId = url === undefined ? undefined : documentIdOf(url);
      if (known === documentId) continue;
      if (known !== undefined) this.#deviceOf.delete(known);
      this.#summarizedAt.delete(deviceId);
      if (documentId === undefined) {
        this.#knownDocument.delete(deviceId);
        // Gone from the fleet: gone from its shard.
        if (url === undefined) this.#shards.remove(deviceId);
        continue;
      }
      this.#knownDocument.set(deviceId, documentId);
      this.#deviceOf.set(documentId, deviceId);
      // A new device, or a new DeviceDoc for it (re-enrollment): summarized when its document
      // syncs, as every change is; the relay loads nothing for it.
      if (this.#started && this.#handleOf(deviceId)?.isReady()) this.#markDirty(deviceId);
    }
    if (deviceIds === undefined) {
      for (const deviceId of [...this.#knownDocument.keys()]) {
        if (deviceId in fleet.devices) continue;
        const documentId = this.#knownDocument.get(deviceId) as DocumentId;
        this.#knownDocument.delete(deviceId);
        this.#deviceOf.delete(documentId);
        this.#summarizedAt.delete(deviceId);
        this.#shards.remove(deviceId);
      }
    }
  }

  #backfill(): void {
    if (this.#backfilling !== undefined || this.#backlog.size === 0 || this.#stopped) return;
    this.#backfilling = (async () => {
      let summarized = 0;
      for (const deviceId of this.#backlog) {
        if (this.#stopped) break;
        this.#backlog.delete(deviceId);
        try {
          if (await this.#backfillOne(deviceId)) summarized += 1;
        } catch (error) {
          this.#logger.warn(
            { err: error, deviceId },
            `summarizing device ${deviceId} failed; its row waits for its next change`,
          );
        }
      }
      if (summarized > 0) this.#logger.info({ devices: summarized }, "background summaries done");
    })().finally(() => {
      this.#backfilling = undefined;
      this.#backfill();
    });
  }

  /** Summarizes one device from its DeviceDoc, loading it if it is on disk but not in memory. */
  async #backfillOne(deviceId: DeviceId): Promise<boolean> {
    const documentId = this.#documentOf(deviceId);
    if (documentId === undefined) return false;
    const loaded = this.#repo.handles[documentId] as DocHandle<DeviceDoc> | undefined;
    if (loaded?.isReady()) {
      this.#summarize(deviceId, loaded.doc());
      return true;
    }
    // Not synced yet: its first sync is summarized as it arrives.
    if (loaded !== undefined || !(await this.#loads.documentExists(documentId))) return false;
    await this.#loads.admission.admit(documentId);
    let handle: DocHandle<DeviceDoc>;
    try {
      handle = await this.#repo.find<DeviceDoc>(`automerge:${documentId}` as AutomergeUrl);
    } catch (error) {
      this.#loads.admission.abandon(documentId);
      throw error;
    }
    this.#summarize(deviceId, handle.doc());
    await this.#loads.unload(documentId);
    return true;
  }

  #handleOf(deviceId: DeviceId): DocHandle<DeviceDoc> | undefined {
    const documentId = this.#documentOf(deviceId);
    return documentId === undefined
      ? undefined
      : (this.#repo.handles[documentId] as DocHandle<DeviceDoc> | undefined);
  }

  #documentOf(deviceId: DeviceId): DocumentId | undefined {
    return this.#knownDocument.get(deviceId);
  }
}

/** The document ID of a DeviceDoc URL the relay wrote; undefined if it is none. */
function documentIdOf(url: string): DocumentId | undefined {
  try {
    return parseAutomergeUrl(url as AutomergeUrl).documentId;
  } catch {
    return undefined;
  }
}
