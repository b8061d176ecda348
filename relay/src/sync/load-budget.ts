import type { DocumentId } from "@automerge/automerge-repo";
import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";

/** What the budget needs to know about, and do to, the documents in memory. */
export interface LoadedDocuments {
  /** Documents in memory now (automerge-repo's handle cache). */
  loaded(): readonly DocumentId[];
  isLoaded(documentId: DocumentId): boolean;
  /**
   * Loaded documents that can be unloaded without losing work, least recently used first. May be
   * lazy: the budget takes only as many as it needs, and checking a document costs.
   */
  evictable(): Iterable<DocumentId>;
  /** True when unloading `documentId` would lose nothing and interrupt no sync. */
  isSettled(documentId: DocumentId): boolean;
  /** Flushes and unloads one document; false if it could not (it was touched meanwhile). */
  evict(documentId: DocumentId): Promise<boolean>;
  /**
   * Automerge ops `documentId` holds, or will once the messages under way are applied (0 when
   * unknown). What a document takes of the WebAssembly heap grows with its ops.
   */
  ops(documentId: DocumentId): number;
  /** True for documents that are never unloaded (they count against no budget). */
  isPinned(documentId: DocumentId): boolean;
}

/** A reservation that never turned into a loaded document (its load was abandoned) lapses. */
const RESERVATION_LAPSE_MS = 10_000;
/**
 * How long an admitted document counts as syncing if it never settles (a dashboard that keeps
 * editing it, a peer that went quiet mid-sync): it then no longer holds back other documents.
 */
const SYNCING_LAPSE_MS = 30_000;
/** How often a full budget looks again for documents that became evictable. */
const RETRY_MS = 50;

interface Waiter {
  promise: Promise<void>;
  resolve: () => void;
  since: number;
}

/**
 * Bounds how many documents the relay holds in memory, how many Automerge ops they hold in all,
 * and how many it syncs, at once. A day of telemetry synced from an agent takes about 10 MB of
 * Automerge's WebAssembly heap, which never shrinks and is capped at 4 GiB per process: the
 * relay's peak memory is the peak of what it held at once. A count alone lets 256 such days in
 * (2.9 GB); the ops bound (`maxOps`, over unpinned documents) keeps big documents few while small
 * ones (DeviceDocs, a fresh day) still fill the count. A document not in memory is loaded only
 * when there is room; until then the message that asks for it waits (automerge-repo awaits the
 * access check before it loads anything). While documents wait, settled ones (stored,
 * acknowledged and with no peer in the middle of a sync) are unloaded, least recently used first,
 * to make room. Waiting documents are admitted in the order they first asked; one document larger
 * than the whole ops bound is admitted alone.
 *
 * Admitting every free slot at once would start hundreds of syncs together; the relay works
 * through their messages one at a time, and a sync whose next message waits longer than 60 s
 * makes automerge-repo give up on the document. So at most `maxSyncing` admitted documents may
 * be unsettled at once, each for at most SYNCING_LAPSE_MS.
 */
export class LoadBudget {
  readonly #maxLoaded: number;
  readonly #maxOps: number;
  readonly #maxSyncing: number;
  readonly #documents: LoadedDocuments;
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #waiting = new Map<DocumentId, Waiter>();
  /** Admitted documents whose handle automerge-repo has not created yet, with when. */
  readonly #reserved = new Map<DocumentId, number>();
  /** Admitted documents that may still be syncing, with when they were admitted. */
  readonly #syncing = new Map<DocumentId, number>();
  /**
   * Ops per document while one round of the pump runs: reading them (`Automerge.stats`, the
   * pending messages) for every loaded document on every comparison cost a third of the relay's
   * CPU in a 1,000-agent storm.
   */
  #opsThisRound: Map<DocumentId, number> | undefined;
  #pumping = false;
  #pumpAgain = false;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: {
    maxLoaded: number;
    /** Ops of unpinned documents held or admitted at once (Infinity: count only). */
    maxOps?: number;
    maxSyncing: number;
    documents: LoadedDocuments;
    logger: Logger;
    metrics: RelayMetrics;
  }) {
    this.#maxLoaded = options.maxLoaded;
    this.#maxOps = options.maxOps ?? Number.POSITIVE_INFINITY;
    this.#maxSyncing = options.maxSyncing;
    this.#documents = options.documents;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  /**
   * Resolves once `documentId` may be loaded: at once when it is in memory or a slot is free,
   * otherwise when unloading settled documents has made room. Asking twice for a waiting
   * document shares its turn.
   */
  admit(documentId: DocumentId): Promise<void> {
    if (this.#documents.isLoaded(documentId) || this.#reserved.has(documentId)) {
      return Promise.resolve();
    }
    const waiting = this.#waiting.get(documentId);
    if (waiting !== undefined) return waiting.promise;
    if (this.#waiting.size === 0 && this.#syncingNow() < this.#maxSyncing) {
      this.#opsThisRound = new Map();
      const fits = this.#hasRoomFor(documentId, this.#heldOps());
      this.#opsThisRound = undefined;
      if (fits) {
        this.#reserve(documentId);
        return Promise.resolve();
      }
    }
    let resolve: () => void = () => {};
    const promise = new Promise<void>((done) => {
      resolve = done;
    });
    this.#waiting.set(documentId, { promise, resolve, since: performance.now() });
    this.#metrics.documentsWaiting.set(this.#waiting.size);
    this.pump();
    return promise;
  }

  /** Gives back the slot of an admitted document that will not be loaded after all. */
  abandon(documentId: DocumentId): void {
    if (this.#reserved.delete(documentId)) this.pump();
  }

  /** Documents waiting for a slot. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Admits waiting documents into free slots and unloads settled ones to make more. Call it
   * whenever a document may have become evictable (after an ack, a disconnect); it also retries
   * on a short timer while documents wait.
   */
  pump(): void {
    if (this.#stopped || this.#waiting.size === 0) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void this.#pumpUntilStuck()
      .catch((error: unknown) => this.#logger.error({ err: error }, "admitting documents failed"))
      .finally(() => {
        this.#pumping = false;
        if (this.#waiting.size > 0 && !this.#stopped) {
          clearTimeout(this.#retry);
          this.#retry = setTimeout(() => this.pump(), RETRY_MS);
          this.#retry.unref();
        }
      });
  }

  /** Lets every waiting document through (shutdown: the repo refuses them by then). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    for (const waiter of this.#waiting.values()) waiter.resolve();
    this.#waiting.clear();
    this.#metrics.documentsWaiting.set(0);
  }

  async #pumpUntilStuck(): Promise<void> {
    do {
      this.#pumpAgain = false;
      this.#opsThisRound = new Map();
      let candidates: DocumentId[];
      try {
        this.#admitIntoFreeSlots();
        candidates = this.#evictionCandidates();
      } finally {
        this.#opsThisRound = undefined;
      }
      if (candidates.length === 0) continue;
      const evicted = await Promise.all(candidates.map((id) => this.#documents.evict(id)));
      const freed = evicted.filter(Boolean).length;
      if (freed > 0) {
        this.#metrics.documentsEvicted.inc(freed);
        this.#pumpAgain = true;
      }
    } while (this.#pumpAgain && !this.#stopped);
  }

  /**
   * Settled documents to unload so that the waiting documents the syncing limit lets in now fit,
   * by count and by ops; none when they fit already (more would unload for nothing).
   */
  #evictionCandidates(): DocumentId[] {
    const admissible = [...this.#waiting.keys()].slice(
      0,
      Math.max(0, this.#maxSyncing - this.#syncingNow()),
    );
    if (admissible.length === 0) return [];
    const shortBy = admissible.length - (this.#maxLoaded - this.#occupied());
    const heldOps = this.#heldOps();
    const wantedOps = admissible.reduce((sum, id) => sum + this.#ops(id), 0);
    const opsShortBy = heldOps + wantedOps - this.#maxOps;
    // Less than this admits nobody at all.
    const firstShortBy = heldOps + this.#ops(admissible[0] as DocumentId) - this.#maxOps;
    if (shortBy <= 0 && opsShortBy <= 0) return [];
    const evictable = this.#documents.evictable()[Symbol.iterator]();
    // For the count, least recently used first; for the ops, the largest of the rest: unloading
    // a hundred small DeviceDocs to make room for one day would only reload them later. The rest
    // is looked at only when short of ops.
    const candidates: DocumentId[] = [];
    while (candidates.length < shortBy) {
      const next = evictable.next();
      if (next.done) break;
      candidates.push(next.value);
    }
    let freedOps = candidates.reduce((sum, id) => sum + this.#opsCounted(id), 0);
    const rest =
      freedOps >= opsShortBy
        ? []
        : [...{ [Symbol.iterator]: () => evictable }]
            .filter((documentId) => this.#opsCounted(documentId) > 0)
            .sort((a, b) => this.#opsCounted(b) - this.#opsCounted(a));
    for (const documentId of rest) {
      if (freedOps >= opsShortBy) break;
      candidates.push(documentId);
      freedOps += this.#opsCounted(documentId);
    }
    // Short of ops even so: unloading would admit nobody, unless it leaves no unpinned document
    // held (then the first waiting one goes in alone, whatever its size).
    if (freedOps < firstShortBy && freedOps < heldOps) return [];
    return candidates;
  }

  #admitIntoFreeSlots(): void {
    let syncing = this.#syncingNow();
    let heldOps = this.#heldOps();
    for (const [documentId, waiter] of this.#waiting) {
      if (!this.#hasRoomFor(documentId, heldOps) || syncing >= this.#maxSyncing) break;
      this.#waiting.delete(documentId);
      this.#reserve(documentId);
      heldOps += this.#ops(documentId);
      syncing += 1;
      const waitedMs = performance.now() - waiter.since;
      this.#metrics.admissionWaitSeconds.observe(waitedMs / 1000);
      waiter.resolve();
    }
    this.#metrics.documentsWaiting.set(this.#waiting.size);
  }

  #reserve(documentId: DocumentId): void {
    const now = performance.now();
    this.#reserved.set(documentId, now);
    this.#syncing.set(documentId, now);
  }

  /**
   * Room for `documentId` by count and by ops. With nothing unpinned held, any document fits:
   * one larger than the whole ops bound must not wait forever.
   */
  #hasRoomFor(documentId: DocumentId, heldOps: number): boolean {
    if (this.#occupied() >= this.#maxLoaded) return false;
    return heldOps === 0 || heldOps + this.#ops(documentId) <= this.#maxOps;
  }

  /** What `documentId` counts against the ops bound: nothing when pinned. */
  #opsCounted(documentId: DocumentId): number {
    return this.#documents.isPinned(documentId) ? 0 : this.#ops(documentId);
  }

  /** A document's ops, read once per round of the pump. */
  #ops(documentId: DocumentId): number {
    const cached = this.#opsThisRound?.get(documentId);
    if (cached !== undefined) return cached;
    const ops = this.#documents.ops(documentId);
    this.#opsThisRound?.set(documentId, ops);
    return ops;
  }

  /** Ops of the unpinned documents loaded or admitted on their way in. */
  #heldOps(): number {
    if (this.#maxOps === Number.POSITIVE_INFINITY) return 0;
    let ops = 0;
    for (const documentId of this.#documents.loaded()) {
      if (!this.#documents.isPinned(documentId)) ops += this.#ops(documentId);
    }
    for (const documentId of this.#reserved.keys()) {
      if (!this.#documents.isLoaded(documentId)) ops += this.#ops(documentId);
    }
    return ops;
  }

  /** Admitted documents still loading or syncing (not settled, not gone, not lapsed). */
  #syncingNow(): number {
    const now = performance.now();
    for (const [documentId, since] of this.#syncing) {
      const loaded = this.#documents.isLoaded(documentId);
      const done = loaded ? this.#documents.isSettled(documentId) : !this.#reserved.has(documentId);
      if (done || now - since > SYNCING_LAPSE_MS) this.#syncing.delete(documentId);
    }
    return this.#syncing.size;
  }

  /** Loaded documents plus admitted ones on their way in. */
  #occupied(): number {
    const now = performance.now();
    for (const [documentId, since] of this.#reserved) {
      if (this.#documents.isLoaded(documentId) || now - since > RESERVATION_LAPSE_MS)
        this.#reserved.delete(documentId);
    }
    return this.#documents.loaded().length + this.#reserved.size;
  }
}
