import type { Logger } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";
import type { DiskBudget } from "./disk-budget.js";
import type { LocalRetention } from "./local-retention.js";

/** Retention and the disk budget are checked this often (and at every day roll-over). */
export const HOUSEKEEPING_MS = 3_600_000;

/**
 * When the data folder is tidied: days past retention are deleted at start-up, as the relay's
 * acknowledgements arrive, and with the disk budget hourly and at each day roll-over. Not on every
 * tick: both read the folder, and nothing changes between ticks that an hour would not catch.
 */
export class Housekeeping {
  readonly #retention: Pick<LocalRetention, "evictExpired">;
  readonly #budget: Pick<DiskBudget, "enforce">;
  readonly #schedule: (work: () => Promise<unknown>) => Promise<unknown>;
  readonly #now: () => number;
  readonly #logger: Logger;
  #lastAt = Number.NEGATIVE_INFINITY;

  constructor(options: {
    retention: Pick<LocalRetention, "evictExpired">;
    budget: Pick<DiskBudget, "enforce">;
    /**
     * Queues work with the sampling ticks (the agent's SerialWork): an eviction must not delete
     * a day while a tick appends to it.
     */
    schedule: (work: () => Promise<unknown>) => Promise<unknown>;
    now: () => number;
    logger: Logger;
  }) {
    this.#retention = options.retention;
    this.#budget = options.budget;
    this.#schedule = options.schedule;
    this.#now = options.now;
    this.#logger = options.logger;
  }

  /** At start-up: deletes the days a previous run left past retention. */
  async resume(now: number): Promise<void> {
    await this.#retention.evictExpired(now);
  }

  /** A day's acknowledgement arrived: it may have been the last thing keeping it on disk. */
  dayAcknowledged(): void {
    void this.#schedule(() => this.#retention.evictExpired(this.#now())).catch((error) =>
      this.#logger.error({ err: error }, `local eviction failed: ${messageOf(error)}`),
    );
  }

  /** After the tick at `at` (inside it): retention, then the budget, when due. */
  async afterTick(at: number, rolledOver: boolean): Promise<void> {
    if (!rolledOver && at - this.#lastAt < HOUSEKEEPING_MS) return;
    this.#lastAt = at;
    await this.#retention.evictExpired(at);
    await this.#budget.enforce(at);
  }
}
