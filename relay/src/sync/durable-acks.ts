import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import type { Logger, StoredHeadsMessage } from "@outpost/shared-model";
import { STORED_HEADS_MESSAGE_TYPE } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";

/** The longest an ack is put off by continuing traffic. */
export const MAX_ACK_WAIT_MS = 1000;

/** How long, in all, an ack waits for its document to finish loading: 200 × 50 ms = 10 s. */
const SETTLE_ATTEMPTS = 200;
const SETTLE_RETRY_MS = 50;

/**
 * The durable acknowledgement (ARCHITECTURE.md, "Durable acknowledgement"). After sync traffic on a
 * document settles for
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
  readonly #firstPending = new Map<DocumentId, number>();
  readonly #inFlight = new Set<Promise<void>>();
  /** Documents with an ack timer running or a flush under way. */
  readonly #pending = new Set<DocumentId>();
  /** The heads each document's last ack announced, as stored on disk. */
  readonly #lastAcked = new Map<DocumentId, string>();
  readonly #listeners = new Set<(documentId: DocumentId) => void>();

  constructor(repo: Repo, options: { delayMs: number; logger: Logger; metrics: RelayMetrics }) {
    this.#repo = repo;
    this.#delayMs = options.delayMs;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
  }

  /**
   * Notes sync traffic on `documentId`: an ack follows once it settles, or at the latest
   * {@link MAX_ACK_WAIT_MS} after the first unacknowledged traffic, so a client that never pauses
   * (a busy dashboard, a burst of telemetry) still hears what is stored.
   */
  touch(documentId: DocumentId): void {
    const now = performance.now();
    const firstPending = this.#firstPending.get(documentId);
    if (firstPending === undefined) this.#firstPending.set(documentId, now);
    else if (now - firstPending >= MAX_ACK_WAIT_MS && this.#timers.has(documentId)) return;
    this.#schedule(documentId, this.#delayMs, 0);
  }

  /**
   * True when the last ack of `documentId` announced exactly `heads` and no other is under way:
   * what the relay holds is on disk and its peers have been told so.
   */
  isSettled(documentId: DocumentId, heads: readonly string[]): boolean {
    return !this.#pending.has(documentId) && this.#lastAcked.get(documentId) === heads.join(",");
  }

  /** Calls `listener` after every ack, once it is sent. */
  onAcknowledged(listener: (documentId: DocumentId) => void): void {
    this.#listeners.add(listener);
  }

  /** Forgets an unloaded document's last ack. */
  forget(documentId: DocumentId): void {
    this.#lastAcked.delete(documentId);
  }

  #schedule(documentId: DocumentId, delayMs: number, attempt: number): void {
    clearTimeout(this.#timers.get(documentId));
    this.#pending.add(documentId);
    const timer = setTimeout(() => {
      this.#timers.delete(documentId);
      const ack = this.#flushAndAck(documentId, attempt).finally(() => {
        this.#inFlight.delete(ack);
        // A retry or fresh traffic may have scheduled another ack meanwhile.
        if (!this.#timers.has(documentId)) this.#pending.delete(documentId);
      });
      this.#inFlight.add(ack);
    }, delayMs);
    timer.unref();
    this.#timers.set(documentId, timer);
  }

  /** Cancels pending acks and waits for those under way (shutdown). */
  async stop(): Promise<void> {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#pending.clear();
    await Promise.allSettled(this.#inFlight);
  }

  async #flushAndAck(documentId: DocumentId, attempt: number): Promise<void> {
    const handle = this.#repo.handles[documentId] as DocHandle<unknown> | undefined;
    // The first message about a document reaches the timer before the relay has checked access
    // and loaded it from disk; a busy relay can take longer than the ack delay. Try again rather
    // than leave a client that has nothing more to send without its ack.
    if (handle === undefined || handle.inState(["idle", "loading", "requesting"])) {
      if (attempt < SETTLE_ATTEMPTS)
        this.#schedule(documentId, Math.max(this.#delayMs, SETTLE_RETRY_MS), attempt + 1);
      else {
        this.#firstPending.delete(documentId);
        this.#logger.warn({ documentId }, `no ack for ${documentId}: it never finished loading`);
      }
      return;
    }
    this.#firstPending.delete(documentId);
    if (!handle.isReady()) return; // unavailable, unloaded or deleted: nothing stored to announce
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
    this.#lastAcked.set(documentId, heads.join(","));
    this.#metrics.durableAcks.inc();
    for (const listener of this.#listeners) listener(documentId);
  }
}
