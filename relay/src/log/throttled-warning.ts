import type { Logger } from "@outpost/shared-model";

/**
 * A warning that may repeat thousands of times a second (a connection flood, a slowloris
 * attack): the first is logged, then at most one line per interval, saying how many were left
 * out since the last. The exact counts are in /metrics; the log only has to say it is happening.
 * No timer: the count of a burst's tail is told by the next line, whenever that comes.
 */
export class ThrottledWarning {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastLoggedAt = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(logger: Logger, options: { intervalMs: number; now?: () => number }) {
    this.#logger = logger;
    this.#intervalMs = options.intervalMs;
    this.#now = options.now ?? Date.now;
  }

  /** Logs `message` with `context` unless a line went out less than an interval ago. */
  warn(context: Record<string, unknown>, message: string): void {
    const now = this.#now();
    if (now - this.#lastLoggedAt < this.#intervalMs) {
      this.#suppressed += 1;
      return;
    }
    const suppressed = this.#suppressed;
    this.#lastLoggedAt = now;
    this.#suppressed = 0;
    this.#logger.warn(
      { ...context, suppressed },
      suppressed > 0 ? `${message} (and ${suppressed} more since the last such line)` : message,
    );
  }
}
