import { decodeSyncMessage } from "@automerge/automerge";

/** The message a peer sent that automerge-repo is asking `access` about right now. */
export interface ReceivedMessage {
  type: string;
  /**
   * True when it carries changes: a sync or request message with content. automerge-repo
   * applies a request's changes as it does a sync's, so a request is no way around a check.
   */
  carriesChanges(): boolean;
}

/**
 * Which documents each connected peer has itself sent messages about. automerge-repo asks
 * `access(peer, document)` both when a peer sends a message and on its own, when it weighs whom
 * to share a newly loaded document with; only the first may make a device a document's owner,
 * and only the first waits for the load budget.
 *
 * The authenticated adapter notes each message before automerge-repo sees it. automerge-repo
 * calls `access` for a received message synchronously, inside the adapter's emit, so the policy
 * takes the message being received ({@link take}) before its first await and knows what it is.
 */
export class PeerRequests {
  readonly #byPeer = new Map<string, Set<string>>();
  #receiving: { peerId: string; documentId: string; message: ReceivedMessage } | undefined;

  /** Records that `peerId` sent `message` about `documentId`; call it right before emitting it. */
  note(peerId: string, documentId: string, message?: { type: string; data?: unknown }): void {
    let documents = this.#byPeer.get(peerId);
    if (documents === undefined) {
      documents = new Set();
      this.#byPeer.set(peerId, documents);
    }
    documents.add(documentId);
    this.#receiving =
      message === undefined ? undefined : { peerId, documentId, message: received(message) };
  }

  /** True when `peerId` itself asked about `documentId` on its current connection. */
  has(peerId: string, documentId: string): boolean {
    return this.#byPeer.get(peerId)?.has(documentId) ?? false;
  }

  /**
   * The message `peerId` sent about `documentId` that is being received now, once: `undefined`
   * when automerge-repo asks on its own.
   */
  take(peerId: string, documentId: string): ReceivedMessage | undefined {
    const receiving = this.#receiving;
    if (receiving?.peerId !== peerId || receiving.documentId !== documentId) return undefined;
    this.#receiving = undefined;
    return receiving.message;
  }

  /** Forgets a peer that disconnected. */
  forget(peerId: string): void {
    this.#byPeer.delete(peerId);
  }
}

function received(message: { type: string; data?: unknown }): ReceivedMessage {
  let carries: boolean | undefined;
  return {
    type: message.type,
    // Decoded only when asked: the policy needs it for documents nobody owns yet.
    carriesChanges: () => {
      carries ??=
        (message.type === "sync" || message.type === "request") &&
        message.data instanceof Uint8Array &&
        decodeSyncMessage(message.data).changes.length > 0;
      return carries;
    },
  };
}
