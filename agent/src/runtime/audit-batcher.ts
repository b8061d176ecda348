import type { AuditEntry, Logger } from "@outpost/shared-model";
import { messageOf } from "@outpost/shared-model";

/**
 * Gathers audit entries that arrive together (the facts of one evaluation of the command queue,
 * a policy change and its refusals) into one write, so a queue of 5,000 commands deferred at once
 * is one Automerge change in the day document, not 5,000.
 */
export class AuditBatcher {
  readonly #pending: AuditEntry[] = [];
  readonly #write: (entries: AuditEntry[]) => Promise<void>;
  readonly #schedule: (work: () => Promise<void>) => Promise<void>;
  readonly #logger: Logger;

  constructor(options: {
    /** Writes the entries (the day documents' `audit`). */
    write: (entries: AuditEntry[]) => Promise<void>;
    /**
     * Queues the write. The agent's SerialWork: an audit entry may open the day's document, and
     * two openers of the same day (an entry and a sampling tick) would create two documents.
     */
    schedule: (work: () => Promise<void>) => Promise<void>;
    logger: Logger;
  }) {
    this.#write = options.write;
    this.#schedule = options.schedule;
    this.#logger = options.logger;
  }

  /**
   * Adds `entry` to the next write. The first entry schedules the write; the rest join it until
   * it runs, and an entry after that starts the next one. Never throws: a failed write is logged.
   */
  readonly add = (entry: AuditEntry): void => {
    this.#pending.push(entry);
    if (this.#pending.length > 1) return;
    void this.#schedule(() => this.#write(this.#pending.splice(0))).catch((error) =>
      this.#logger.error({ err: error }, `audit entries lost: ${messageOf(error)}`),
    );
  };
}
