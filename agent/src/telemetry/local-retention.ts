import { type AutomergeUrl, parseAutomergeUrl, type Repo } from "@automerge/automerge-repo";
import { DAY_MS, type Day, type Logger, startOfDay } from "@outpost/shared-model";
import type { CrashSafeFileStorageAdapter } from "@outpost/shared-model/storage";
import type { AgentStateStore } from "../state/agent-state.js";
import { storageQuiet } from "../state/storage-quiet.js";
import type { TelemetryDays } from "./telemetry-days.js";

/**
 * Local eviction (ARCHITECTURE.md, "Acknowledgements and eviction"): a closed day document is
 * deleted from the device only once the relay's durable acknowledgement covers its final heads, and
 * only `retainDays` after the day ended. The relay keeps it; the DeviceDoc index still points at it
 * for the dashboard.
 */
export class LocalRetention {
  readonly #days: TelemetryDays;
  readonly #store: AgentStateStore;
  readonly #repo: Repo;
  readonly #storage: CrashSafeFileStorageAdapter;
  readonly #retainDays: () => number;
  readonly #logger: Logger;

  constructor(options: {
    days: TelemetryDays;
    store: AgentStateStore;
    repo: Repo;
    storage: CrashSafeFileStorageAdapter;
    /** Days after its end a synced day stays (the policy in force). */
    retainDays: () => number;
    logger: Logger;
  }) {
    this.#days = options.days;
    this.#store = options.store;
    this.#repo = options.repo;
    this.#storage = options.storage;
    this.#retainDays = options.retainDays;
    this.#logger = options.logger;
  }

  /** Days the relay has in full that are still on this disk, oldest first. */
  acknowledgedOnDisk(): Day[] {
    return this.#days
      .indexedDays()
      .filter((day) => this.#store.state.days[day]?.evictedAt === undefined)
      .filter((day) => this.#days.isAcknowledged(day));
  }

  /** Deletes every acknowledged day whose retention has run out; returns them. */
  async evictExpired(now: number): Promise<Day[]> {
    const expired = this.acknowledgedOnDisk().filter(
      (day) => now >= startOfDay(day) + DAY_MS + this.#retainDays() * DAY_MS,
    );
    for (const day of expired) await this.evict(day, now, "retention");
    return expired;
  }

  /**
   * Deletes `day`'s document from this device. The eviction is recorded (and flushed) first, so
   * a crash in between leaves at worst an unreferenced file, never a day the agent would try to
   * load from a relay that may have dropped it.
   *
   * @throws when the relay has not acknowledged the day's final heads: that would lose data.
   */
  async evict(day: Day, now: number, why: "retention" | "disk budget"): Promise<void> {
    if (!this.#days.isAcknowledged(day)) {
      throw new Error(`refusing to evict ${day}: the relay has not acknowledged its final heads`);
    }
    const url = this.#days.urlOf(day);
    this.#store.update((state) => {
      state.days[day] = { ...state.days[day], evictedAt: now };
    });
    await this.#store.flush();
    this.#days.forget(day);
    if (url !== undefined) await this.deleteLocally(url);
    this.#logger.info(
      { day, why },
      `deleted telemetry day ${day} locally (${why}); the relay keeps it`,
    );
  }

  /** Removes a document from the repo and waits until its bytes are gone from disk. */
  async deleteLocally(url: string): Promise<void> {
    const { documentId } = parseAutomergeUrl(url as AutomergeUrl);
    this.#repo.delete(documentId);
    // A throttled sync-state save may still write into the folder: let it land, then remove
    // everything (and wait for that, so callers can measure the folder).
    await storageQuiet(this.#storage);
    await this.#storage.removeRange([documentId]);
  }
}
