import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import type { Logger, StoredHeadsMessage } from "@outpost/shared-model";
import { STORED_HEADS_MESSAGE_TYPE } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";

/**
 * The durable acknowledgement (DESIGN §5). After sync traffic on a document settles for
 * `delayMs`, the relay flushes the document through its crash-safe storage and then broadcasts
 * the heads it captured before the flush, which are therefore on disk, to the peers syncing it.
 * Traffic with no new changes gets an ack too, so a client that missed one (it disconnected
 * right after sending) learns on its next sync what the relay stored.
 */
export class DurableAcks {
  readonly #repo: Repo;
  readonly #delayMs: number;
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #timers = new Map<DocumentId, NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();

  constructor(repo: Repo, options: { delayMs: number; logger: Logger; metrics: RelayMetrics }) {
    this.#repo = repo;
    this.#delayMs = options.delayMs;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  /** Notes sync traffic on `documentId`: an ack follows once it settles. */
  touch(documentId: DocumentId): void {
    clearTimeout(this.#timers.get(documentId));
    const timer = setTimeout(() => {
      this.#timers.delete(documentId);
      const ack = this.#flushAndAck(documentId).finally(() => this.#inFlight.delete(ack));
      this.#inFlight.add(ack);
    }, this.#delayMs);
    timer.unref();
    this.#timers.set(documentId, timer);
  }

  /** Cancels pending acks and waits for those under way (shutdown). */
  async stop(): Promise<void> {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled(this.#inFlight);
  }

  async #flushAndAck(documentId: DocumentId): Promise<void> {
    const handle = this.#repo.handles[documentId] as DocHandle<unknown> | undefined;
    if (handle === undefined || !handle.isReady()) return;
    const heads = handle.heads();
    const stopTimer = this.#metrics.flushSeconds.startTimer();
    try {
      await this.#repo.flush([documentId]);
    } catch (error) {
      this.#logger.error({ err: error, documentId }, `flushing ${documentId} failed; no ack sent`);
      return;
    } finally {
      stopTimer();
    }
    const message: StoredHeadsMessage = {
      type: STORED_HEADS_MESSAGE_TYPE,
      documentId,
      heads,
      storedAt: Date.now(),
    };
    handle.broadcast(message);
    this.#metrics.durableAcks.inc();
  }
}
