import type { DocumentId, PeerId } from "@automerge/automerge-repo";
import type { DeviceId, Logger, Principal } from "@outpost/shared-model";
import { describePrincipal } from "@outpost/shared-model";
import { ThrottledWarning } from "../log/throttled-warning.js";
import type { RejectionReason, RelayMetrics } from "../metrics/relay-metrics.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { DocumentPresence } from "./document-presence.js";
import type { PeerRequests, ReceivedMessage } from "./peer-requests.js";
import type { UnclaimedDocuments } from "./unclaimed-documents.js";

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

/** A device's stored bytes against its quota (see StoredBytes). */
export interface StorageQuota {
  /** Undefined while the device is within its quota; otherwise what to tell it. */
  exceeded(deviceId: DeviceId): Promise<string | undefined>;
}

/**
 * Who may sync which document (ARCHITECTURE.md, "Access"), asked by automerge-repo for every
 * incoming message: admins reach every document; nobody but admins reaches the FleetDoc, whoever
 * owns it on disk; a device reaches the documents it owns, and becomes the owner of a document the
 * relay does not have the first time it sends that document's content (up to
 * `maxDocumentsPerDevice`, and within its storage quota). A device's sync without content holds
 * only a reservation in memory (see {@link UnclaimedDocuments}); its request for a document it does
 * not own is refused, so asking for random IDs costs the relay no claim, no disk write and no load.
 * Admins never claim: a dashboard may ask for a device's new day document before the device has
 * synced it. Answers come from memory; only a claim touches disk.
 *
 * automerge-repo also asks on its own, for every connected peer, when it weighs whom to share a
 * loaded document with. Those questions never claim a document and are not refusals to log: only
 * a device's own messages (see {@link PeerRequests}) do either.
 */
export class AccessPolicy {
  readonly #peers: PeerDirectory;
  readonly #requests: PeerRequests;
  readonly #ownership: OwnershipStore;
  readonly #unclaimed: UnclaimedDocuments;
  readonly #documentExists: DocumentPresence;
  readonly #deviceDocumentOf: (deviceId: DeviceId) => string | undefined;
  readonly #quota: StorageQuota | undefined;
  readonly #fleetDocumentId: string;
  readonly #trustDocumentId: () => string | undefined;
  readonly #isSummaryShard: (documentId: string) => boolean;
  readonly #maxDocumentsPerDevice: number;
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #admission: Admission;
  readonly #warnings = new Map<string, ThrottledWarning>();

  constructor(options: {
    peers: PeerDirectory;
    requests: PeerRequests;
    ownership: OwnershipStore;
    unclaimed: UnclaimedDocuments;
    /** True when the relay has the document (an unowned one is then not a device's to claim). */
    documentExists: DocumentPresence;
    /** The DeviceDoc of an enrolled device: always writable, so a device over quota stays manageable. */
    deviceDocumentOf: (deviceId: DeviceId) => string | undefined;
    quota?: StorageQuota;
    fleetDocumentId: string;
    /** The TrustDoc, once the fleet has a root: everyone reads it, only the relay writes it. */
    trustDocumentId?: () => string | undefined;
    /** The fleet's summary shards: admins read them, only the relay writes them. */
    isSummaryShard?: (documentId: string) => boolean;
    maxDocumentsPerDevice: number;
    logger: Logger;
    metrics: RelayMetrics;
    /** Who says when a document may be loaded (the LoadBudget); at once by default. */
    admission?: Admission;
  }) {
    this.#peers = options.peers;
    this.#requests = options.requests;
    this.#ownership = options.ownership;
    this.#unclaimed = options.unclaimed;
    this.#documentExists = options.documentExists;
    this.#deviceDocumentOf = options.deviceDocumentOf;
    this.#quota = options.quota;
    this.#fleetDocumentId = options.fleetDocumentId;
    this.#trustDocumentId = options.trustDocumentId ?? (() => undefined);
    this.#isSummaryShard = options.isSummaryShard ?? (() => false);
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
    // Before any await: automerge-repo asks about a received message inside the adapter's emit.
    const message = this.#requests.take(peerId, documentId);
    if (!(await this.#allowed(peerId, documentId, message))) return false;
    // Only a sync or request message loads its document: automerge-repo asking on its own (the
    // document is loaded, or it weighs whom to pass an ephemeral message to) and an ephemeral
    // message (passed on without its document) need no slot.
    if (message === undefined || message.type === "ephemeral") return true;
    if (!this.#requests.has(peerId, documentId)) return true;
    await this.#admission.admit(documentId);
    if (this.#peers.principalOfPeer(peerId) !== undefined) return true;
    // The peer left while the document waited: its message needs no answer, nor the slot.
    this.#admission.abandon(documentId);
    return false;
  };

  /** Forgets the reservations of a peer that disconnected; returns the documents released. */
  peerLeft(peerId: string): string[] {
    return this.#unclaimed.releasePeer(peerId);
  }

  async #allowed(
    peerId: PeerId,
    documentId: DocumentId,
    message: ReceivedMessage | undefined,
  ): Promise<boolean> {
    const principal = this.#peers.principalOfPeer(peerId);
    if (principal === undefined)
      return this.#deny("access-denied", peerId, documentId, "unknown peer");
    if (documentId === this.#trustDocumentId()) {
      // Refused whole and answered doc-unavailable; the socket stays, and so does the peer's
      // reading: the relay goes on sending it the relay's own changes.
      if (message?.carriesChanges())
        return this.#deny(
          "trust-doc-write",
          peerId,
          documentId,
          "only the relay writes the trust document",
        );
      return true;
    }
    if (this.#isSummaryShard(documentId)) {
      // Like the FleetDoc for devices (they never reach it), like the TrustDoc for writes: a
      // dashboard's change would be a summary no DeviceDoc backs.
      if (principal.kind === "device") {
        if (message === undefined) return false;
        return this.#deny("access-denied", peerId, documentId, "summaries are for admins");
      }
      if (message?.carriesChanges())
        return this.#deny(
          "summary-write",
          peerId,
          documentId,
          "only the relay writes the summary shards",
        );
      return true;
    }
    if (principal.kind === "admin") return true;
    const deviceId = principal.deviceId;
    // The fleet rule first: a data folder from before it was checked may list a device as owner.
    if (documentId === this.#fleetDocumentId) {
      if (message === undefined) return false;
      return this.#deny("access-denied", peerId, documentId, "the fleet document is for admins");
    }
    const owner = this.#ownership.ownerOf(documentId);
    if (owner === deviceId) {
      if (message?.carriesChanges() && documentId !== this.#deviceDocumentOf(deviceId))
        return this.#withinQuota(deviceId, peerId, documentId);
      return true;
    }
    // automerge-repo weighing whom to share with, not the device asking: no claim, no refusal.
    if (message === undefined) return this.#unclaimed.holderOf(documentId) === deviceId;
    if (owner !== undefined) {
      return this.#deny("access-denied", peerId, documentId, `owned by device ${owner}`);
    }
    return this.#unowned(deviceId, peerId, documentId, message);
  }

  async #unowned(
    deviceId: DeviceId,
    peerId: PeerId,
    documentId: DocumentId,
    message: ReceivedMessage,
  ): Promise<boolean> {
    const holder = this.#unclaimed.holderOf(documentId);
    if (holder !== undefined && holder !== deviceId) {
      return this.#deny("access-denied", peerId, documentId, `being synced by device ${holder}`);
    }
    if (message.type !== "sync") {
      // A request: the device does not have the document, and it is not the device's.
      return this.#deny("access-denied", peerId, documentId, "no such document of this device");
    }
    if (holder === undefined && (await this.#documentExists(documentId))) {
      return this.#deny("access-denied", peerId, documentId, "exists and belongs to no device");
    }
    if (!message.carriesChanges()) {
      const reserved = this.#unclaimed.reserve(documentId, deviceId, peerId);
      if (reserved === "reserved") return true;
      if (reserved === "limit-reached") {
        const detail = `device has ${this.#unclaimed.countOf(deviceId)} documents without content under way, the limit`;
        return this.#deny("document-limit", peerId, documentId, detail);
      }
      return this.#deny("access-denied", peerId, documentId, "being synced by another device");
    }
    if (!(await this.#withinQuota(deviceId, peerId, documentId))) return false;
    const claim = await this.#ownership.claim(documentId, deviceId, this.#maxDocumentsPerDevice);
    this.#unclaimed.release(documentId);
    if (claim === "claimed" || claim === "already-owned") return true;
    if (claim === "limit-reached") {
      const detail = `device owns ${this.#maxDocumentsPerDevice} documents, the limit`;
      return this.#deny("document-limit", peerId, documentId, detail);
    }
    return this.#deny("access-denied", peerId, documentId, "claimed by another device");
  }

  async #withinQuota(deviceId: DeviceId, peerId: PeerId, documentId: DocumentId): Promise<boolean> {
    const exceeded = await this.#quota?.exceeded(deviceId);
    return exceeded === undefined || this.#deny("storage-quota", peerId, documentId, exceeded);
  }

  #deny(reason: RejectionReason, peerId: string, documentId: string, detail: string): false {
    const principal = this.#peers.principalOfPeer(peerId);
    const who = principal ? describePrincipal(principal) : peerId;
    this.#metrics.rejections.inc({ reason });
    this.#warningFor(`${who} ${reason}`).warn(
      { principal: who, documentId, reason, detail },
      `refused ${documentId} to ${who}: ${detail}`,
    );
    return false;
  }

  /**
   * One throttled warning per principal and reason: a device asking for a thousand random IDs a
   * second is one line per 10 s with the count, and other devices' refusals are still logged.
   */
  #warningFor(key: string): ThrottledWarning {
    let warning = this.#warnings.get(key);
    if (warning === undefined) {
      if (this.#warnings.size >= 10_000) this.#warnings.clear();
      warning = new ThrottledWarning(this.#logger, { intervalMs: 10_000 });
      this.#warnings.set(key, warning);
    }
    return warning;
  }
}
