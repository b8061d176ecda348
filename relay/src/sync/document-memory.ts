import type { DocumentId, Repo } from "@automerge/automerge-repo";
import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { Admission } from "./access-policy.js";
import { DurableAcks } from "./durable-acks.js";
import { IdleUnloader } from "./idle-unloader.js";
import { LoadBudget } from "./load-budget.js";
import { PeerHeads } from "./peer-heads.js";
import { RepoDocuments } from "./repo-documents.js";

/**
 * What the relay holds in memory and when it lets go (ARCHITECTURE.md, "Durable
 * acknowledgement", "Bounded memory", "Load budget"): durable acks, the idle unloader, the heads
 * peers announced and the load budget, wired so that an ack, an unload or a departed peer lets
 * waiting documents in.
 */
export class DocumentMemory {
  readonly #acks: DurableAcks;
  readonly #unloader: IdleUnloader;
  readonly #peerHeads: PeerHeads;
  readonly #budget: LoadBudget;

  /** Takes over `repo`'s saves (only live documents are saved: see IdleUnloader). */
  constructor(
    repo: Repo,
    options: {
      ackDelayMs: number;
      idleUnloadMs: number;
      maxLoaded: number;
      /** Ops of unpinned documents in memory at once (see LoadBudget). */
      maxLoadedOps: number;
      maxSyncing: number;
      /** A document's ops once what is under way is applied (DocumentSizes.estimate). */
      opsOf: (documentId: DocumentId) => number;
      /** Never unloaded: the FleetDoc, which the relay itself writes. */
      pinned: DocumentId;
      logger: Logger;
      metrics: RelayMetrics;
    },
  ) {
    const { logger, metrics } = options;
    const acks = new DurableAcks(repo, { delayMs: options.ackDelayMs, logger, metrics });
    const unloader = new IdleUnloader(repo, { idleMs: options.idleUnloadMs, logger, metrics });
    unloader.pin(options.pinned);
    const peerHeads = new PeerHeads(repo);
    const budget = new LoadBudget({
      maxLoaded: options.maxLoaded,
      maxOps: options.maxLoadedOps,
      maxSyncing: options.maxSyncing,
      documents: new RepoDocuments(repo, { unloader, acks, peerHeads, ops: options.opsOf }),
      logger: logger.child({ component: "load-budget" }),
      metrics,
    });
    // Acks follow the sync messages the repo has processed, not their arrival: a document can
    // wait for the load budget far longer than the ack delay.
    repo.synchronizer.on("sync-state", ({ documentId }) => acks.touch(documentId));
    acks.onAcknowledged(() => budget.pump());
    unloader.onUnloaded((documentId) => {
      peerHeads.forgetDocument(documentId);
      acks.forget(documentId);
      budget.pump();
    });
    this.#acks = acks;
    this.#unloader = unloader;
    this.#peerHeads = peerHeads;
    this.#budget = budget;
  }

  /** Where the access policy waits for a slot before a document is loaded. */
  get admission(): Admission {
    return this.#budget;
  }

  /** Never unloads `documentId` (the TrustDoc, made after the start when the root comes later). */
  pin(documentId: DocumentId): void {
    this.#unloader.pin(documentId);
  }

  /** A peer sent a message about `documentId`: it is not idle. */
  touch(documentId: DocumentId): void {
    this.#unloader.touch(documentId);
  }

  /** A peer left: it waits for nothing any more, which may free a syncing slot. */
  peerLeft(peerId: string): void {
    this.#peerHeads.forgetPeer(peerId);
    this.#budget.pump();
  }

  /**
   * Unloads `documentId` now if nothing is lost by it (flushed first; kept if a peer touched it
   * meanwhile): the relay loaded it for its own reading (a summary), not for a peer.
   */
  unloadNow(documentId: DocumentId): Promise<boolean> {
    return this.#unloader.evict(documentId);
  }

  /** Starts looking for idle documents every `idleSweepMs`. */
  start(idleSweepMs: number): void {
    this.#unloader.start(idleSweepMs);
  }

  /** Unloads idle documents now. */
  sweepIdle(): Promise<number> {
    return this.#unloader.sweep();
  }

  /**
   * Lets the documents waiting for the budget through (the repo refuses them by then), then
   * waits for the acks and unloads under way.
   */
  async stop(): Promise<void> {
    this.#budget.stop();
    await Promise.all([this.#acks.stop(), this.#unloader.stop()]);
  }
}
