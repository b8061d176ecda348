/**
 * Which documents each connected peer has itself sent messages about. automerge-repo asks
 * `access(peer, document)` both when a peer sends a message and on its own, when it weighs whom
 * to share a newly loaded document with; only the first may make a device a document's owner,
 * and only the first waits for the load budget.
 * The authenticated adapter notes requests before automerge-repo sees them.
 */
export class PeerRequests {
  readonly #byPeer = new Map<string, Set<string>>();

  /** Records that `peerId` sent a message about `documentId`. */
  note(peerId: string, documentId: string): void {
    let documents = this.#byPeer.get(peerId);
    if (documents === undefined) {
      documents = new Set();
      this.#byPeer.set(peerId, documents);
    }
    documents.add(documentId);
  }

  /** True when `peerId` itself asked about `documentId` on its current connection. */
  has(peerId: string, documentId: string): boolean {
    return this.#byPeer.get(peerId)?.has(documentId) ?? false;
  }

  /** Forgets a peer that disconnected. */
  forget(peerId: string): void {
    this.#byPeer.delete(peerId);
  }
}
