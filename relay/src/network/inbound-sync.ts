import type { RepoEvents } from "@automerge/automerge-repo";
import type { Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { DocumentSizes } from "../sync/document-sizes.js";
import type { GuardedMessage } from "./frame-guard.js";
import type { PeerReading, PeerWorkBudget } from "./peer-work-queue.js";
import { PeerWorkQueue } from "./peer-work-queue.js";
import type { SyncMessageLimits, SyncMessageProblem } from "./sync-message-bounds.js";
import { isSyncMessageProblem, measureSyncMessage } from "./sync-message-bounds.js";

/** A `doc-metrics` event of the repo (the type is not exported on its own). */
type DocMetrics = Parameters<RepoEvents["doc-metrics"]>[0];

/** The limits this gate enforces (see RelayLimits for each). */
export type InboundSyncLimits = SyncMessageLimits & PeerWorkBudget & { maxDocumentOps: number };

/** Why a message was refused for the size it would give its document. */
export interface DocumentSizeProblem {
  closeCode: 1009;
  reason: "document-too-large";
  detail: string;
}

/** What the adapter does with one checked message once its turn comes. */
export interface Delivery {
  /** False once the socket it came on is closed or replaced: the message is then dropped. */
  current(): boolean;
  /** Hands the message to automerge-repo. */
  deliver(): void;
  /** Refuses it (closes the socket with the problem's code and reason, logs and counts it). */
  refuse(problem: SyncMessageProblem | DocumentSizeProblem): void;
}

/**
 * What stands between a peer's checked frames and automerge-repo (ARCHITECTURE.md, "Frames",
 * "Bounded memory"): each peer's messages wait their turn in a {@link PeerWorkQueue} (its time
 * budget), and each sync message is measured (ops and decoded bytes of what it carries) and refused
 * whole if it passes a per-message bound, or, from a device, if it would take its document past
 * `maxDocumentOps`. Admins are not held to the document bound: the FleetDoc grows with the fleet
 * through the relay's own writes, and an admin is trusted with the fleet anyway; the per-message
 * bounds and the time budget hold for everyone, since they protect the relay's memory and its one
 * thread.
 */
export class InboundSync {
  readonly #limits: InboundSyncLimits;
  readonly #sizes: DocumentSizes;
  readonly #queue: PeerWorkQueue;

  constructor(options: {
    limits: InboundSyncLimits;
    sizes: DocumentSizes;
    reading: PeerReading;
    metrics: RelayMetrics;
    logger: Logger;
  }) {
    this.#limits = options.limits;
    this.#sizes = options.sizes;
    this.#queue = new PeerWorkQueue({
      budget: options.limits,
      reading: options.reading,
      metrics: options.metrics,
      logger: options.logger,
    });
  }

  /** Queues `message` from `peerId`; `fromDevice` holds it to the document bound. */
  admit(peerId: string, fromDevice: boolean, message: GuardedMessage, delivery: Delivery): void {
    this.#queue.enqueue(peerId, () => {
      if (!delivery.current()) return;
      if (message.type !== "sync" && message.type !== "request") {
        delivery.deliver();
        return;
      }
      const documentId = message.documentId as string;
      const measured = measureSyncMessage(message.data as Uint8Array, documentId, this.#limits);
      if (isSyncMessageProblem(measured)) {
        delivery.refuse(measured);
        return;
      }
      if (fromDevice && measured.ops > 0) {
        const after = this.#sizes.estimate(documentId) + measured.ops;
        if (after > this.#limits.maxDocumentOps) {
          delivery.refuse({
            closeCode: 1009,
            reason: "document-too-large",
            detail: `document ${documentId} would hold ${after} ops, over max_document_ops (${this.#limits.maxDocumentOps})`,
          });
          return;
        }
      }
      this.#sizes.handedOn(documentId, peerId, measured.ops);
      delivery.deliver();
    });
  }

  /**
   * Charges a peer with the Automerge work automerge-repo reports (`repo.on("doc-metrics")`):
   * applying a message it sent and generating the answers sent to it; a received message's
   * event also says it is applied, with its document's size before.
   */
  observe(event: DocMetrics): void {
    if (event.type === "receive-sync-message") {
      this.#queue.charge(event.fromPeer, event.durationMillis);
      this.#sizes.applied(event.documentId, event.fromPeer, event.numOps);
    } else if (event.type === "generate-sync-message") {
      this.#queue.charge(event.forPeer, event.durationMillis);
    }
  }

  /** A peer disconnected. */
  peerLeft(peerId: string): void {
    this.#queue.forget(peerId);
    this.#sizes.peerLeft(peerId);
  }

  /** Relay shutdown. */
  stop(): void {
    this.#queue.stop();
  }
}
