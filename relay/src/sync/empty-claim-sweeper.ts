import type { DocumentId } from "@automerge/automerge-repo";
import type { DeviceId, Logger } from "@outpost/shared-model";
import type { RelayMetrics } from "../metrics/relay-metrics.js";
import type { OwnershipStore } from "../state/ownership-store.js";
import type { DocumentPresence } from "./document-presence.js";

/** What the sweeper asks of the relay about a claim's document and device. */
export interface ClaimContext {
  /** True when the relay has the document's content (on disk or loaded). */
  documentExists: DocumentPresence;
  /** True while the document is loaded: its content may be on the way to disk. */
  isLoaded(documentId: string): boolean;
  /** The enrolled device's DeviceDoc: claimed at enrollment, before any content, and kept. */
  deviceDocumentOf(deviceId: DeviceId): string | undefined;
}

/**
 * Releases claims whose document never got content (ARCHITECTURE.md, "Access"). A device claims a
 * document when its content arrives, and the relay saves that content within a second; a claim
 * older than
 * `graceMs` whose document is still not on disk was left by a crash between the two, or is one of
 * the claims relays before this check made for any document a device merely asked about. Each
 * claim is checked once (an `ownership.jsonl` mark records how far), so a sweep costs a directory
 * look-up per new claim. A device's current DeviceDoc is never released.
 */
export class EmptyClaimSweeper {
  readonly #ownership: OwnershipStore;
  readonly #context: ClaimContext;
  readonly #graceMs: number;
  readonly #logger: Logger;
  readonly #metrics: RelayMetrics;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<number> | undefined;

  constructor(options: {
    ownership: OwnershipStore;
    context: ClaimContext;
    graceMs: number;
    logger: Logger;
    metrics: RelayMetrics;
    now?: () => number;
  }) {
    this.#ownership = options.ownership;
    this.#context = options.context;
    this.#graceMs = options.graceMs;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#now = options.now ?? Date.now;
  }

  /** Sweeps now, then every `intervalMs`, until {@link stop}. */
  start(intervalMs: number): void {
    this.#run();
    this.#timer = setInterval(() => this.#run(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }

  /** Checks every claim older than the grace period once; returns how many were released. */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  #run(): void {
    this.sweep().catch((error: unknown) =>
      this.#logger.error({ err: error }, "checking claims for content failed; will try again"),
    );
  }

  async #sweep(): Promise<number> {
    const upTo = this.#now() - this.#graceMs;
    const due = this.#ownership.unchecked().filter((claim) => claim.at < upTo);
    if (due.length === 0) return 0;
    let released = 0;
    // Claims that cannot be judged yet keep the mark below them, to be checked next time.
    let checkedUpTo = upTo;
    for (const { documentId, deviceId, at } of due) {
      if (this.#ownership.ownerOf(documentId) !== deviceId) continue;
      if (this.#context.deviceDocumentOf(deviceId) === documentId) continue;
      if (this.#context.isLoaded(documentId)) {
        checkedUpTo = Math.min(checkedUpTo, at);
        continue;
      }
      if (await this.#context.documentExists(documentId as DocumentId)) continue;
      await this.#ownership.release(documentId, deviceId);
      if (this.#context.isLoaded(documentId)) {
        // The device started syncing it while the release was written: it stays the device's.
        await this.#ownership.claim(documentId, deviceId, Number.POSITIVE_INFINITY);
        checkedUpTo = Math.min(checkedUpTo, at);
        continue;
      }
      released += 1;
    }
    await this.#ownership.markChecked(checkedUpTo);
    if (released > 0) {
      this.#metrics.claimsReleased.inc(released);
      this.#logger.info(
        { released, checked: due.length },
        `released ${released} claims of documents that never got content`,
      );
    }
    return released;
  }
}
