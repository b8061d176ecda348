import type { Doc } from "@automerge/automerge";
import { getHeads } from "@automerge/automerge";
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import type { DurableAcks } from "./durable-acks.js";
import type { IdleUnloader } from "./idle-unloader.js";
import type { LoadedDocuments } from "./load-budget.js";
import type { PeerHeads } from "./peer-heads.js";

/** A document nobody had stays this long before it may make room: its asker may follow up. */
const UNAVAILABLE_GRACE_MS = 1_000;

/**
 * The relay's loaded documents as the load budget sees them. A document is evictable when
 * unloading it loses nothing and interrupts no one: its last durable ack announced its current
 * heads (so they are on disk and its peers know), no ack is under way, and no peer has announced
 * heads the relay has yet to receive. A document nobody had is evictable after a short grace.
 */
export class RepoDocuments implements LoadedDocuments {
  readonly #repo: Repo;
  readonly #unloader: IdleUnloader;
  readonly #acks: DurableAcks;
  readonly #peerHeads: PeerHeads;
  readonly #ops: (documentId: DocumentId) => number;

  constructor(
    repo: Repo,
    parts: {
      unloader: IdleUnloader;
      acks: DurableAcks;
      peerHeads: PeerHeads;
      /** A document's ops, loaded and under way (DocumentSizes.estimate). */
      ops: (documentId: DocumentId) => number;
    },
  ) {
    this.#repo = repo;
    this.#ops = parts.ops;
    this.#unloader = parts.unloader;
    this.#acks = parts.acks;
    this.#peerHeads = parts.peerHeads;
  }

  loaded(): readonly DocumentId[] {
    return Object.keys(this.#repo.handles) as DocumentId[];
  }

  isLoaded(documentId: DocumentId): boolean {
    return this.#repo.handles[documentId] !== undefined;
  }

  /**
   * Least recently touched first, each checked only when the budget asks for the next: checking
   * (heads, acks, peers' heads) every loaded document on every round of the budget cost a tenth
   * of the relay's CPU in a steady state.
   */
  *evictable(): Generator<DocumentId> {
    const byTouch: { documentId: DocumentId; touched: number }[] = [];
    for (const id of Object.keys(this.#repo.handles)) {
      const documentId = id as DocumentId;
      if (this.#unloader.isPinned(documentId)) continue;
      byTouch.push({ documentId, touched: this.#unloader.lastTouched(documentId) });
    }
    byTouch.sort((a, b) => a.touched - b.touched);
    for (const { documentId, touched } of byTouch) {
      const handle = this.#repo.handles[documentId] as DocHandle<unknown> | undefined;
      if (handle === undefined) continue;
      if (this.#isSettled(documentId, handle, performance.now() - touched)) yield documentId;
    }
  }

  isSettled(documentId: DocumentId): boolean {
    const handle = this.#repo.handles[documentId] as DocHandle<unknown> | undefined;
    if (handle === undefined) return false;
    return this.#isSettled(
      documentId,
      handle,
      performance.now() - this.#unloader.lastTouched(documentId),
    );
  }

  ops(documentId: DocumentId): number {
    return this.#ops(documentId);
  }

  isPinned(documentId: DocumentId): boolean {
    return this.#unloader.isPinned(documentId);
  }

  evict(documentId: DocumentId): Promise<boolean> {
    return this.#unloader.evict(documentId);
  }

  #isSettled(documentId: DocumentId, handle: DocHandle<unknown>, idleMs: number): boolean {
    if (handle.inState(["unavailable"])) return idleMs > UNAVAILABLE_GRACE_MS;
    if (!handle.isReady()) return false;
    return (
      this.#acks.isSettled(documentId, handle.heads()) &&
      this.#peerHeads.coveredBy(documentId, getHeads(handle.doc() as Doc<unknown>))
    );
  }
}
