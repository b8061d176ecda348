import type { DocumentId, PeerId } from "@automerge/automerge-repo";
import type { Logger, Principal } from "@outpost/shared-model";
import { describePrincipal } from "@outpost/shared-model";
import type { RejectionReason, RelayMetrics } from "../metrics/relay-metrics.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { PeerRequests } from "./peer-requests.js";

/** When a document not in memory may be loaded (see LoadBudget). */
export interface Admission {
  /** Resolves once `documentId` may be loaded. */
  admit(documentId: DocumentId): Promise<void>;
  /** Gives back the slot of a document admitted but not loaded after all. */
  abandon(documentId: DocumentId): void;
}

/** Where the policy learns who a peer is (the authenticated adapter). */
export interface PeerDirectory {
  principalOfPeer(peerId: string): Principal | undefined;
}

/**
 * Who may sync which document (DESIGN §5), asked by automerge-repo for every incoming message:
 * admins reach every document; a device reaches the documents it owns, and becomes the owner of a
 * document nobody owns the first time it syncs it (up to `maxDocumentsPerDevice`); nobody but
 * admins reaches the FleetDoc. Admins never claim: a dashboard may ask for a device's new day
 * document before the device has synced it. Answers come from memory; only a claim touches disk.
 *
 * automerge-repo also asks on its own, for every connected peer, when it weighs whom to share a
 * loaded document with. Those questions never claim a document and are not refusals to log: only
 * a device's own messages (see {@link PeerRequests}) do either.
 */
export class AccessPolicy {
  readonly #peers: PeerDirectory;
  readonly #requests: PeerRequests;
  readonly #ownership: OwnershipStore;
  readonly #fleetDocumentId: string;
  readonly #maxDocumentsPerDevice: number;
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #admission: Admission;

  constructor(options: {
    peers: PeerDirectory;
    requests: PeerRequests;
    ownership: OwnershipStore;
    fleetDocumentId: string;
    maxDocumentsPerDevice: number;
    logger: Logger;
    metrics: RelayMetrics;
    /** Who says when a document may be loaded (the LoadBudget); at once by default. */
    admission?: Admission;
  }) {
    this.#peers = options.peers;
    this.#requests = options.requests;
    this.#ownership = options.ownership;
    this.#fleetDocumentId = options.fleetDocumentId;
    this.#maxDocumentsPerDevice = options.maxDocumentsPerDevice;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#admission = options.admission ?? {
      admit: () => Promise.resolve(),
      abandon: () => {},
    };
  }

  /**
   * automerge-repo's `shareConfig.access`. A peer's own message about a document that is not in
   * memory then waits for the load budget: automerge-repo loads the document once this resolves.
   */
  readonly access = async (peerId: PeerId, documentId: DocumentId): Promise<boolean> => {
    if (!(await this.#allowed(peerId, documentId))) return false;
    if (!this.#requests.has(peerId, documentId)) return true;
    await this.#admission.admit(documentId);
    if (this.#peers.principalOfPeer(peerId) !== undefined) return true;
    // The peer left while the document waited: its message needs no answer, nor the slot.
    this.#admission.abandon(documentId);
    return false;
  };

  async #allowed(peerId: PeerId, documentId: DocumentId): Promise<boolean> {
    const principal = this.#peers.principalOfPeer(peerId);
    if (principal === undefined)
      return this.#deny("access-denied", peerId, documentId, "unknown peer");
    if (principal.kind === "admin") return true;
    const owner = this.#ownership.ownerOf(documentId);
    if (owner === principal.deviceId) return true;
    // automerge-repo weighing whom to share with, not the device asking: no claim, no refusal.
    if (!this.#requests.has(peerId, documentId)) return false;
    if (documentId === this.#fleetDocumentId) {
      return this.#deny("access-denied", peerId, documentId, "the fleet document is for admins");
    }
    if (owner !== undefined) {
      return this.#deny("access-denied", peerId, documentId, `owned by device ${owner}`);
    }
    const claim = await this.#ownership.claim(
      documentId,
      principal.deviceId,
      this.#maxDocumentsPerDevice,
    );
    if (claim === "claimed" || claim === "already-owned") return true;
    if (claim === "limit-reached") {
      const detail = `device owns ${this.#maxDocumentsPerDevice} documents, the limit`;
      return this.#deny("document-limit", peerId, documentId, detail);
    }
    return this.#deny("access-denied", peerId, documentId, "claimed by another device");
  }

  #deny(reason: RejectionReason, peerId: string, documentId: string, detail: string): false {
    const principal = this.#peers.principalOfPeer(peerId);
    this.#metrics.rejections.inc({ reason });
    this.#logger.warn(
      { principal: principal ? describePrincipal(principal) : peerId, documentId, reason, detail },
      `refused ${documentId} to ${principal ? describePrincipal(principal) : peerId}: ${detail}`,
    );
    return false;
  }
}
