import type { DocumentId, PeerId, Repo } from "@automerge/automerge-repo";
import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { RelayLimits } from "../relay-options.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { PrincipalStore } from "../state/principal-store.js";
import type { StoredBytes } from "../state/stored-bytes.js";
import { AccessPolicy, type Admission, type PeerDirectory } from "./access-policy.js";
import type { DocumentPresence } from "./document-presence.js";
import { EmptyClaimSweeper } from "./empty-claim-sweeper.js";
import type { PeerRequests } from "./peer-requests.js";
import { PerDeviceStorageQuota } from "./storage-quota.js";
import { UnclaimedDocuments } from "./unclaimed-documents.js";

/**
 * How long a device may hold a document it is starting to sync before sending content: its
 * changes follow the relay's first answer within a round trip, even on a slow link.
 */
const PENDING_DOCUMENT_TTL_MS = 10 * 60_000;

/**
 * Who may have which document, and the claims behind it (ARCHITECTURE.md, "Access"): the access
 * policy over ownership, the in-memory reservations of documents a device is starting to sync,
 * the per-device storage quota, and the sweeper that releases claims whose content never arrived.
 */
export class DocumentAccess {
  readonly #policy: AccessPolicy;
  readonly #claimSweeper: EmptyClaimSweeper;

  constructor(options: {
    repo: Repo;
    peers: PeerDirectory;
    requests: PeerRequests;
    principals: PrincipalStore;
    ownership: OwnershipStore;
    storedBytes: StoredBytes;
    documentExists: DocumentPresence;
    fleetDocumentId: DocumentId;
    /** The fleet's summary shards (admins read, only the relay writes). */
    isSummaryShard: (documentId: string) => boolean;
    /** Where a document waits for a slot before it is loaded (the load budget). */
    admission: Admission;
    limits: RelayLimits;
    /** A claim still without content this long after it was made is released (default 10 min). */
    emptyClaimGraceMs: number | undefined;
    logger: Logger;
    metrics: RelayMetrics;
  }) {
    const { repo, principals, ownership, limits, logger, metrics } = options;
    const deviceDocumentOf = (deviceId: string) => principals.device(deviceId)?.deviceDocumentId;
    this.#policy = new AccessPolicy({
      peers: options.peers,
      requests: options.requests,
      ownership,
      unclaimed: new UnclaimedDocuments({
        maxPerDevice: limits.maxPendingDocumentsPerDevice,
        ttlMs: PENDING_DOCUMENT_TTL_MS,
      }),
      documentExists: options.documentExists,
      deviceDocumentOf,
      quota: new PerDeviceStorageQuota(
        options.storedBytes,
        limits.maxStoredBytesPerDevice,
        metrics,
      ),
      fleetDocumentId: options.fleetDocumentId,
      trustDocumentId: () => principals.adminKeys.trustDocumentId,
      isSummaryShard: options.isSummaryShard,
      maxDocumentsPerDevice: limits.maxDocumentsPerDevice,
      logger: logger.child({ component: "access" }),
      metrics,
      admission: options.admission,
    });
    this.#claimSweeper = new EmptyClaimSweeper({
      ownership,
      context: {
        documentExists: options.documentExists,
        isLoaded: (documentId) => repo.handles[documentId as DocumentId] !== undefined,
        deviceDocumentOf,
      },
      graceMs: options.emptyClaimGraceMs ?? PENDING_DOCUMENT_TTL_MS,
      logger: logger.child({ component: "claims" }),
      metrics,
    });
  }

  /** automerge-repo's `shareConfig.access` (see AccessPolicy.access). */
  access(peerId: PeerId, documentId: DocumentId): Promise<boolean> {
    return this.#policy.access(peerId, documentId);
  }

  /** A peer disconnected: its reservations go. */
  peerLeft(peerId: string): void {
    this.#policy.peerLeft(peerId);
  }

  /** Starts looking for empty claims every `claimSweepMs`. */
  start(claimSweepMs: number): void {
    this.#claimSweeper.start(claimSweepMs);
  }

  /** Releases claims of documents that never got content, now. */
  sweepEmptyClaims(): Promise<number> {
    return this.#claimSweeper.sweep();
  }

  /** Stops the sweeper and waits for a sweep under way. */
  stop(): Promise<void> {
    return this.#claimSweeper.stop();
  }
}
