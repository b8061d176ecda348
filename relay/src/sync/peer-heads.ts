import type { DocumentId, Repo } from "@automerge/automerge-repo";

/**
 * The heads each connected peer last announced for each loaded document, from automerge-repo's
 * sync states. A document whose peers announced only heads the relay already has is not in the
 * middle of a sync: unloading it loses no round trip. One whose peer announced heads the relay
 * lacks is waiting for that peer's changes and stays loaded.
 */
export class PeerHeads {
  readonly #byDocument = new Map<DocumentId, Map<string, readonly string[]>>();

  constructor(repo: Repo) {
    repo.synchronizer.on("sync-state", ({ documentId, peerId, syncState }) => {
      let peers = this.#byDocument.get(documentId);
      if (peers === undefined) {
        peers = new Map();
        this.#byDocument.set(documentId, peers);
      }
      peers.set(peerId, syncState.theirHeads ?? []);
    });
  }

  /** True when every peer's last announced heads of `documentId` are among `heads` (hex). */
  coveredBy(documentId: DocumentId, heads: readonly string[]): boolean {
    const peers = this.#byDocument.get(documentId);
    if (peers === undefined) return true;
    const known = new Set(heads);
    for (const theirHeads of peers.values()) {
      if (!theirHeads.every((head) => known.has(head))) return false;
    }
    return true;
  }

  /** A disconnected peer waits for nothing any more. */
  forgetPeer(peerId: string): void {
    for (const peers of this.#byDocument.values()) peers.delete(peerId);
  }

  /** An unloaded document starts afresh with new sync states when it is loaded again. */
  forgetDocument(documentId: DocumentId): void {
    this.#byDocument.delete(documentId);
  }
}
